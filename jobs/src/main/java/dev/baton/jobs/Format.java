package dev.baton.jobs;

/** The text format of a job file. JSON is accepted as written by {@link JobWriter#toJson}. */
public enum Format {
    YAML,
    JSON;

    /** Picks the format from a file name: {@code .json} is JSON, everything else YAML. */
    public static Format ofFileName(String fileName) {
        return fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? JSON : YAML;
    }
}
