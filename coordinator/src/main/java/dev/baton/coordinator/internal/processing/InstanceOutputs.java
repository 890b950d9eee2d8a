package dev.baton.coordinator.internal.processing;

import dev.baton.runmodel.events.Envelope;
import dev.baton.runmodel.events.Event;
import dev.baton.runmodel.state.StepInstances;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only view of the outputs of forEach instances that ended (they leave the run's state when they end; the
 * coordinator keeps their outputs in a store of their own, one record per instance, see docs/coordinator.md).
 */
@FunctionalInterface
public interface InstanceOutputs {
    /** The outputs instance {@code index} of {@code step} succeeded with, or null when it has none recorded. */
    Map<String, String> get(String runId, String step, int index);

    InstanceOutputs NONE = (runId, step, index) -> null;

    /** An in-memory store fed from the events (tests and the fold harness; the coordinator uses its state store). */
    final class Memory implements InstanceOutputs {
        private final Map<String, Map<String, String>> outputs = new HashMap<>();

        public void record(List<Envelope> events) {
            for (Envelope e : events) {
                if (e.event() instanceof Event.StepSucceeded s && StepInstances.isInstance(e.stepKey())) {
                    outputs.put(e.runId() + "/" + e.stepKey(), s.outputs());
                }
            }
        }

        @Override
        public Map<String, String> get(String runId, String step, int index) {
            return outputs.get(runId + "/" + StepInstances.key(step, index));
        }
    }
}
