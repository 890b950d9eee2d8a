package dev.baton.runmodel.state;

/**
 * Keys of forEach step instances: instance {@code i} of step {@code each} is {@code each[i]}. Step keys never contain
 * {@code [} (see docs/jobs.md, Names), so an instance key cannot collide with a step's.
 */
public final class StepInstances {
    private StepInstances() {}

    public static String key(String step, int index) {
        return step + "[" + index + "]";
    }

    /** The mapped step of an instance key, or null when the key is not an instance's. */
    public static String parent(String key) {
        if (key == null || !key.endsWith("]")) {
            return null;
        }
        int open = key.indexOf('[');
        return open > 0 ? key.substring(0, open) : null;
    }

    /** The position of an instance key in its list (the key must be an instance's). */
    public static int index(String key) {
        return Integer.parseInt(key.substring(key.indexOf('[') + 1, key.length() - 1));
    }

    public static boolean isInstance(String key) {
        return parent(key) != null;
    }
}
