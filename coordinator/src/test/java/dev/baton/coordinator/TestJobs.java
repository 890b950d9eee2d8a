package dev.baton.coordinator;

/** Job definitions shared by the coordinator's tests. */
public final class TestJobs {
    private TestJobs() {}

    /** The orders_daily job of the gateway issue, without its description and its second output. */
    public static final String ORDERS_DAILY = """
            name: orders_daily
            params:
              day: { default: "2026-01-01" }
            steps:
              - key: extract
                run: |
                  echo "extracting orders for ${{ params.day }}"
                  echo "rows=42" >> "$BATON_OUTPUT"
                produces: [raw_orders]
              - key: clean
                needs: [extract]
                run: |
                  test "${{ steps.extract.outputs.rows }}" = "42"
                retry: { maxAttempts: 3, backoff: PT1S }
                timeout: PT5M
                produces: [clean_orders]
            """;
}
