package dev.baton.scheduler;

import dev.baton.events.AssetTrigger;
import dev.baton.events.CatchUpPolicy;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.NoopAction;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.ParamSpec;
import dev.baton.events.ScheduleSpec;
import dev.baton.events.StepDefinition;
import dev.baton.events.TriggerSpec;
import dev.baton.events.ValueFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Job definitions for scheduler tests. */
public final class TestJobs {
    private TestJobs() {}

    public static ScheduleSpec.Builder cron(String name, String cron, String zone) {
        return ScheduleSpec.newBuilder().setName(name).setCron(cron).setIntervalMs(null).setTimezone(zone)
                .setStartAt(null).setEndAt(null).setCatchUp(CatchUpPolicy.LATEST).setCatchUpWindowMs(86_400_000L)
                .setOverlap(OverlapPolicy.ALLOW).setParams(new LinkedHashMap<>()).setPaused(false);
    }

    public static ScheduleSpec.Builder every(String name, long intervalMs) {
        return cron(name, null, "UTC").setIntervalMs(intervalMs);
    }

    public static KafkaTrigger.Builder kafka(String name, String topic) {
        return KafkaTrigger.newBuilder().setName(name).setTopic(topic).setFilter(null).setParams(new LinkedHashMap<>())
                .setRunKey(null).setFormat(ValueFormat.JSON);
    }

    public static JobDefinition.Builder job(String name) {
        StepDefinition step = StepDefinition.newBuilder().setKey("noop").setAction(NoopAction.newBuilder().build()).build();
        return JobDefinition.newBuilder().setName(name).setSteps(new ArrayList<>(List.of(step)))
                .setSchedules(new ArrayList<>()).setTriggers(new ArrayList<>()).setRegisteredAt(Instant.EPOCH);
    }

    public static JobDefinition withSchedules(String name, ScheduleSpec... schedules) {
        return job(name).setSchedules(new ArrayList<>(List.of(schedules))).build();
    }

    public static JobDefinition withTriggers(String name, Instant registeredAt, Object... triggers) {
        List<TriggerSpec> t = new ArrayList<>();
        for (Object o : triggers) {
            t.add(TriggerSpec.newBuilder().setTrigger(o).build());
        }
        return job(name).setTriggers(t).setRegisteredAt(registeredAt).build();
    }

    public static AssetTrigger assets(String name, String... assets) {
        return AssetTrigger.newBuilder().setName(name).setAssets(new ArrayList<>(List.of(assets))).build();
    }

    public static Map<String, ParamSpec> params(String... names) {
        Map<String, ParamSpec> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, ParamSpec.newBuilder().build());
        }
        return m;
    }
}
