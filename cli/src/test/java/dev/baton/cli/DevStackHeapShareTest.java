package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The gateway's share of the one-process stack's heap: heavy reads in flight derived from -Xmx. */
class DevStackHeapShareTest {
    static final long MIB = 1L << 20;

    @Test
    void heavyReadsInFlightFollowTheHeapBetweenAFloorAndTheGatewayDefault() {
        // a worst-case log page is 4 MiB, held about twice: 8 MiB per read in a quarter of the heap
        assertThat(DevStack.gatewayHeavyReads(512 * MIB)).isEqualTo(16);
        assertThat(DevStack.gatewayHeavyReads(2048 * MIB)).isEqualTo(64);
        assertThat(DevStack.gatewayHeavyReads(16384 * MIB)).isEqualTo(64); // never above the gateway's own default
        assertThat(DevStack.gatewayHeavyReads(64 * MIB)).isEqualTo(4); // a tiny heap still serves a few reads
    }
}
