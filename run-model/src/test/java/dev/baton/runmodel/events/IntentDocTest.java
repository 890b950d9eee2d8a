package dev.baton.runmodel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/events.md lists exactly the intent codes of {@link Intent}, each event type has its own, none is reused. */
class IntentDocTest {
    static String doc() throws IOException {
        Path p = Path.of("../docs/events.md");
        return Files.readString(Files.exists(p) ? p : Path.of("docs/events.md"));
    }

    @Test
    void theDocumentedTableIsTheEnum() throws IOException {
        String doc = doc();
        Map<Integer, String> documented = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\| ([A-Z_]+) \\|$").matcher(doc);
        while (m.find()) {
            assertThat(documented.put(Integer.parseInt(m.group(1)), m.group(2))).as("code %s listed once", m.group(1)).isNull();
        }
        Map<Integer, String> declared = Arrays.stream(Intent.values())
                .collect(Collectors.toMap(Intent::code, Intent::name, (a, b) -> a + "," + b, LinkedHashMap::new));
        assertThat(documented).isEqualTo(declared);

        Matcher r = Pattern.compile("Retired codes: ([0-9, ]+) \\(").matcher(doc);
        assertThat(r.find()).as("retired codes are documented").isTrue();
        Set<Integer> retired = Arrays.stream(r.group(1).split(",")).map(String::trim).map(Integer::parseInt)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(retired).isEqualTo(new TreeSet<>(Intent.RETIRED));
    }

    @Test
    void codesAreUniqueAndNeverRetiredOnes() {
        assertThat(Arrays.stream(Intent.values()).map(Intent::code).distinct().count()).isEqualTo(Intent.values().length);
        assertThat(Arrays.stream(Intent.values()).map(Intent::code)).doesNotContainAnyElementsOf(Intent.RETIRED);
    }

    @Test
    void everyEventTypeHasItsOwnIntent() {
        Set<Intent> used = new TreeSet<>();
        for (Class<?> c : Event.class.getPermittedSubclasses()) {
            collect(c, used);
        }
        assertThat(used).containsExactlyInAnyOrder(Intent.values());
    }

    private static void collect(Class<?> c, Set<Intent> used) {
        if (c.isInterface()) {
            for (Class<?> s : c.getPermittedSubclasses()) {
                collect(s, used);
            }
            return;
        }
        try {
            var ctor = c.getDeclaredConstructors()[0];
            Object[] args = Arrays.stream(ctor.getParameterTypes()).map(IntentDocTest::zero).toArray();
            assertThat(used.add(((Event) ctor.newInstance(args)).intent())).as("%s has its own intent", c.getSimpleName()).isTrue();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Object zero(Class<?> t) {
        if (t == int.class) return 0;
        if (t == long.class) return 0L;
        if (t == boolean.class) return false;
        return null;
    }
}
