package dev.baton.jobs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What templates may read. Every part is optional; a reference to a missing part fails with a
 * {@link TemplateException} naming it. Immutable.
 *
 * <p>At dispatch the coordinator fills params (the run's effective params, see {@link JobParams#effective}),
 * step outputs of finished upstream steps, run and attempt. The scheduler fills {@link TriggerRecord} or
 * {@link ScheduleTick} to turn trigger/schedule params into run params.
 */
public record TemplateContext(Map<String, String> params,
                              Map<String, Map<String, String>> stepOutputs,
                              String runId,
                              String jobName,
                              String attemptId,
                              Integer attemptNumber,
                              TriggerRecord trigger,
                              ScheduleTick schedule,
                              Partition partition,
                              String item,
                              Integer itemIndex) {

    public TemplateContext {
        params = copy(params);
        Map<String, Map<String, String>> outputs = new LinkedHashMap<>();
        if (stepOutputs != null) {
            stepOutputs.forEach((step, values) -> outputs.put(step, copy(values)));
        }
        stepOutputs = Collections.unmodifiableMap(outputs);
    }

    public static TemplateContext empty() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.params.putAll(params);
        b.stepOutputs.putAll(stepOutputs);
        b.runId = runId;
        b.jobName = jobName;
        b.attemptId = attemptId;
        b.attemptNumber = attemptNumber;
        b.trigger = trigger;
        b.schedule = schedule;
        b.partition = partition;
        b.item = item;
        b.itemIndex = itemIndex;
        return b;
    }

    private static Map<String, String> copy(Map<String, String> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    public static final class Builder {
        private final Map<String, String> params = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> stepOutputs = new LinkedHashMap<>();
        private String runId;
        private String jobName;
        private String attemptId;
        private Integer attemptNumber;
        private TriggerRecord trigger;
        private ScheduleTick schedule;
        private Partition partition;
        private String item;
        private Integer itemIndex;

        private Builder() {}

        public Builder params(Map<String, String> values) {
            params.putAll(values);
            return this;
        }

        public Builder param(String name, String value) {
            params.put(name, value);
            return this;
        }

        public Builder stepOutputs(String stepKey, Map<String, String> outputs) {
            stepOutputs.put(stepKey, outputs);
            return this;
        }

        public Builder run(String runId, String jobName) {
            this.runId = runId;
            this.jobName = jobName;
            return this;
        }

        public Builder attempt(String attemptId, int attemptNumber) {
            this.attemptId = attemptId;
            this.attemptNumber = attemptNumber;
            return this;
        }

        public Builder trigger(TriggerRecord trigger) {
            this.trigger = trigger;
            return this;
        }

        public Builder schedule(ScheduleTick schedule) {
            this.schedule = schedule;
            return this;
        }

        /** The run's partition (null: not a partitioned run). */
        public Builder partition(Partition partition) {
            this.partition = partition;
            return this;
        }

        /**
         * The element of a forEach instance as JSON text (a string element is a JSON string) and its position.
         * Null: not a forEach instance.
         */
        public Builder item(String json, int index) {
            this.item = json;
            this.itemIndex = index;
            return this;
        }

        public TemplateContext build() {
            return new TemplateContext(params, stepOutputs, runId, jobName, attemptId, attemptNumber, trigger, schedule,
                    partition, item, itemIndex);
        }
    }
}
