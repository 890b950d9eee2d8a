package dev.baton.alerting.internal;

import dev.baton.platform.streams.IdlePunctuation;
import dev.baton.platform.streams.Routed;
import dev.baton.events.AlertCondition;
import dev.baton.events.AlertRule;
import dev.baton.events.DeadLetter;
import dev.baton.events.Incident;
import dev.baton.events.IncidentEvent;
import dev.baton.events.IncidentStatus;
import dev.baton.events.JobDefinition;
import dev.baton.platform.DeadLetters;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incident engine's single task. Each signal is decided by {@link IncidentDecider} against the state, its events
 * are applied by {@link IncidentApplier} and forwarded with what they stand for: the event on {@code incidents}, the
 * incident on {@code incidents-latest}, and a notification on {@code alerts} when it opened, escalated or resolved.
 * Kafka Streams commits all of it in one exactly-once transaction. A wall-clock punctuation finds silent agents.
 * The agents and clears stores are indexes of the inputs (last heartbeat, last clearing), kept here, not by the applier.
 */
public final class IncidentProcessor implements Processor<String, byte[], String, Routed> {
    private static final Logger log = LoggerFactory.getLogger(IncidentProcessor.class);

    /** Settings of the engine. */
    public record Settings(List<AlertRule> globalRules, Duration checkInterval, long agentLostAfterMs, long poolUnservedAfterMs,
                           long agentForgetAfterMs) {}

    private final Topics topics;
    private final Settings settings;
    private final List<Rule> globalRules;
    private final AvroSerde<JobDefinition> jobSerde;
    private final AvroSerde<Incident> incidentSerde;
    private final AvroSerde<IncidentEvent> eventSerde;
    private final AvroSerde<dev.baton.events.Alert> alertSerde;
    private final AvroSerde<DeadLetter> deadLetterSerde;
    private final IncidentDecider decider = new IncidentDecider();
    private final IncidentApplier applier = new IncidentApplier();

    private ProcessorContext<String, Routed> context;
    private ReadOnlyKeyValueStore<String, byte[]> jobs;
    private KeyValueStore<String, byte[]> incidents;
    private KeyValueStore<String, byte[]> groups;
    private KeyValueStore<String, Long> clears;
    private KeyValueStore<String, byte[]> agents;
    private KeyValueStore<String, byte[]> pending;
    private KeyValueStore<String, Long> ticks;
    private final State state = new State();

    public IncidentProcessor(Topics topics, Settings settings, AvroSerde<JobDefinition> jobSerde, AvroSerde<Incident> incidentSerde,
                             AvroSerde<IncidentEvent> eventSerde, AvroSerde<dev.baton.events.Alert> alertSerde,
                             AvroSerde<DeadLetter> deadLetterSerde) {
        this.topics = topics;
        this.settings = settings;
        this.globalRules = settings.globalRules().stream().map(Rule::ofGlobal).toList();
        this.jobSerde = jobSerde;
        this.incidentSerde = incidentSerde;
        this.eventSerde = eventSerde;
        this.alertSerde = alertSerde;
        this.deadLetterSerde = deadLetterSerde;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        jobs = context.getStateStore(Names.JOBS_STORE);
        incidents = context.getStateStore(Names.INCIDENTS_STORE);
        groups = context.getStateStore(Names.GROUPS_STORE);
        clears = context.getStateStore(Names.CLEARS_STORE);
        agents = context.getStateStore(Names.AGENTS_STORE);
        pending = context.getStateStore(Names.PENDING_STORE);
        ticks = context.getStateStore(Names.TICKS_STORE);
        // Only the global rules (fixed for this process) hold time-based conditions, and without one the check does
        // nothing: then no punctuation, since each one makes Streams commit the task (an exactly-once transaction a
        // second at rest, docs/benchmarks.md).
        if (!rules(AlertCondition.AGENT_LOST, null, null).isEmpty() || !rules(AlertCondition.POOL_UNSERVED, null, null).isEmpty()) {
            // An IdlePunctuation that never sleeps (its longest sleep is its interval): a plain one, but known to the
            // thread's idle poll, which then does not outlast its next run (IdlePollClientSupplier).
            IdlePunctuation.schedule(context, settings.checkInterval(), settings.checkInterval(), now -> {
                checkAgents(now);
                checkPools(now);
                return now;
            });
        }
    }

    @Override
    public void process(Record<String, byte[]> rec) {
        Signal signal;
        try {
            signal = Json.read(rec.value(), Signal.class);
        } catch (RuntimeException e) {
            log.error("Unreadable signal on the internal topic (key {}): {}", rec.key(), e.getMessage());
            return;
        }
        switch (signal) {
            case Signal.Fired f -> emit(decider.fired(f, rules(f.condition(), f.job(), null), state), rec.timestamp());
            case Signal.Cleared c -> {
                for (AlertCondition cond : c.conditions()) {
                    String k = Groups.clearKey(cond, c.job(), c.subject());
                    Long before = clears.get(k);
                    if (before == null || before < c.at()) {
                        clears.put(k, c.at());
                    }
                }
                emit(decider.cleared(c, state), rec.timestamp());
            }
            case Signal.Acknowledge a -> emit(List.of(decider.acknowledge(a, state)), rec.timestamp());
            case Signal.Heartbeat h -> heartbeat(h, rec.timestamp());
            case Signal.Dispatched d -> pending.put(d.attemptId(),
                    Json.write(new PendingAttempt(d.pool(), d.runId(), d.attemptId(), d.at())));
            case Signal.Settled st -> settle(st);
            case Signal.ScheduleTicks t -> scheduleTicks(t, rec.timestamp());
            case Signal.Malformed m -> {
                DeadLetter dl = DeadLetters.of(Names.APPLICATION, "INVALID_EVENT", m.reason(), m.topic(), m.partition(), m.offset(),
                        m.key(), m.value(), null, null, Instant.ofEpochMilli(m.at()));
                context.forward(new Record<>(m.topic(), new Routed(topics.deadLetters(),
                        deadLetterSerde.serialize(topics.deadLetters(), dl)), rec.timestamp()));
            }
        }
    }

    private void heartbeat(Signal.Heartbeat h, long timestamp) {
        byte[] prevBytes = agents.get(h.agentId());
        AgentSeen prev = prevBytes == null ? null : Json.read(prevBytes, AgentSeen.class);
        if (prev != null && prev.lastSeen() > h.at()) {
            return; // an older heartbeat (a compacted topic re-read): nothing new
        }
        boolean stopped = "STOPPED".equals(h.state());
        if (prev != null && prev.lost()) {
            emit(decider.cleared(new Signal.Cleared(h.sourceId(), h.at(), List.of(AlertCondition.AGENT_LOST), null, h.agentId(), null,
                    stopped ? "agent " + h.agentId() + " stopped cleanly" : "agent " + h.agentId() + " is back"), state), timestamp);
        }
        if (stopped) {
            agents.delete(h.agentId()); // a clean stop is not a loss
        } else {
            agents.put(h.agentId(), Json.write(new AgentSeen(h.agentId(), h.at(), h.sourceId(), h.pools(), h.state(), false)));
        }
    }

    /** Agents silent for longer than their rules allow: agent_lost, once per silence. */
    private void checkAgents(long now) {
        List<Rule> lostRules = rules(AlertCondition.AGENT_LOST, null, null);
        if (lostRules.isEmpty()) {
            return;
        }
        List<AgentSeen> seen = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = agents.all()) {
            it.forEachRemaining(kv -> seen.add(Json.read(kv.value, AgentSeen.class)));
        }
        for (AgentSeen a : seen) {
            long silent = now - a.lastSeen();
            if (silent > settings.agentForgetAfterMs()) {
                agents.delete(a.agentId()); // gone long before: no incident for agents nobody has seen in a day
                continue;
            }
            List<Rule> due = new ArrayList<>();
            for (Rule r : lostRules) {
                long after = r.spec().getAfterMs() == null ? settings.agentLostAfterMs() : r.spec().getAfterMs();
                GroupState g = state.group(Groups.key(r.id(), null, a.agentId()));
                if (silent > after && g.openIncidentId() == null && r.appliesToPools(a.pools())) {
                    due.add(r);
                }
            }
            if (due.isEmpty()) {
                continue;
            }
            Signal.Fired f = new Signal.Fired("agent-lost/" + a.agentId() + "/" + a.lastEventId(), now, AlertCondition.AGENT_LOST,
                    null, a.agentId(), null, "Agent " + a.agentId() + " (pools " + String.join(", ", a.pools())
                    + ") sent no heartbeat for " + Duration.ofMillis(silent).toSeconds() + " s (last at "
                    + Instant.ofEpochMilli(a.lastSeen()) + ")");
            emit(decider.fired(f, due, state), now);
            agents.put(a.agentId(), Json.write(new AgentSeen(a.agentId(), a.lastSeen(), a.lastEventId(), a.pools(), a.state(), true)));
        }
    }

    /**
     * Ticks newer than the newest seen for the schedule: a MISSED one is an occurrence of schedule_tick_missed (subject
     * the schedule), a REQUESTED one clears it.
     */
    private void scheduleTicks(Signal.ScheduleTicks t, long timestamp) {
        String key = t.job() + "/" + t.schedule();
        Long seen = ticks.get(key);
        long newest = seen == null ? Long.MIN_VALUE : seen;
        for (Signal.Tick tick : t.ticks()) {
            if (tick.tickMs() <= newest) {
                continue;
            }
            newest = tick.tickMs();
            String id = "tick/" + key + "/" + tick.tickMs();
            switch (tick.outcome()) {
                case "MISSED" -> emit(decider.fired(new Signal.Fired(id, tick.tickMs(), AlertCondition.SCHEDULE_TICK_MISSED, t.job(),
                        t.schedule(), null, "Schedule " + t.schedule() + " of job " + t.job() + " missed its tick of "
                        + Instant.ofEpochMilli(tick.tickMs()) + (tick.detail() == null || tick.detail().isBlank() ? "" : ": " + tick.detail())),
                        rules(AlertCondition.SCHEDULE_TICK_MISSED, t.job(), null), state), timestamp);
                case "REQUESTED" -> {
                    String k = Groups.clearKey(AlertCondition.SCHEDULE_TICK_MISSED, t.job(), t.schedule());
                    Long before = clears.get(k);
                    if (before == null || before < tick.tickMs()) {
                        clears.put(k, tick.tickMs());
                    }
                    emit(decider.cleared(new Signal.Cleared(id, tick.tickMs(), List.of(AlertCondition.SCHEDULE_TICK_MISSED), t.job(),
                            t.schedule(), null, "the tick of " + Instant.ofEpochMilli(tick.tickMs()) + " ran"), state), timestamp);
                }
                default -> { } // SKIPPED, QUEUED, FAILED: the overlap policy or the request decided; not a missed tick
            }
        }
        if (seen == null || newest > seen) {
            ticks.put(key, newest);
        }
    }

    private void settle(Signal.Settled s) {
        if (s.attemptId() != null) {
            pending.delete(s.attemptId());
            return;
        }
        List<String> ofRun = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            it.forEachRemaining(kv -> {
                if (s.runId().equals(Json.read(kv.value, PendingAttempt.class).runId())) {
                    ofRun.add(kv.key);
                }
            });
        }
        ofRun.forEach(pending::delete);
    }

    /**
     * Pools whose oldest waiting attempt waited longer than a pool_unserved rule allows while no live agent serves the
     * pool: one incident per (rule, pool); resolved once an agent of the pool is live again or nothing waits.
     */
    private void checkPools(long now) {
        List<Rule> poolRules = rules(AlertCondition.POOL_UNSERVED, null, null);
        if (poolRules.isEmpty()) {
            return;
        }
        java.util.Map<String, Long> oldest = new java.util.TreeMap<>();
        List<String> forgotten = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            it.forEachRemaining(kv -> {
                PendingAttempt p = Json.read(kv.value, PendingAttempt.class);
                if (now - p.dispatchedAt() > settings.agentForgetAfterMs()) {
                    forgotten.add(kv.key); // a run whose end was never seen: do not alert on it forever
                } else {
                    oldest.merge(p.pool(), p.dispatchedAt(), Math::min);
                }
            });
        }
        forgotten.forEach(pending::delete);
        java.util.Set<String> served = new java.util.HashSet<>();
        try (KeyValueIterator<String, byte[]> it = agents.all()) {
            it.forEachRemaining(kv -> {
                AgentSeen a = Json.read(kv.value, AgentSeen.class);
                if (now - a.lastSeen() <= settings.agentLostAfterMs()) {
                    served.addAll(a.pools());
                }
            });
        }
        for (Incident open : state.openIncidents()) {
            if (open.getCondition() == AlertCondition.POOL_UNSERVED
                    && (served.contains(open.getSubject()) || !oldest.containsKey(open.getSubject()))) {
                String why = served.contains(open.getSubject()) ? "an agent of pool " + open.getSubject() + " is live"
                        : "no step waits in pool " + open.getSubject();
                emit(decider.cleared(new Signal.Cleared("pool-served/" + open.getIncidentId() + "/" + now, now,
                        List.of(AlertCondition.POOL_UNSERVED), null, open.getSubject(), null, why), state), now);
            }
        }
        for (var e : oldest.entrySet()) {
            String pool = e.getKey();
            long waited = now - e.getValue();
            if (served.contains(pool)) {
                continue;
            }
            List<Rule> due = new ArrayList<>();
            for (Rule r : poolRules) {
                long after = r.spec().getAfterMs() == null ? settings.poolUnservedAfterMs() : r.spec().getAfterMs();
                if (waited > after && r.appliesToPools(List.of(pool))
                        && state.group(Groups.key(r.id(), null, pool)).openIncidentId() == null) {
                    due.add(r);
                }
            }
            if (!due.isEmpty()) {
                emit(decider.fired(new Signal.Fired("pool-unserved/" + pool + "/" + e.getValue(), now, AlertCondition.POOL_UNSERVED,
                        null, pool, null, "Pool " + pool + " has steps waiting for " + Duration.ofMillis(waited).toSeconds()
                        + " s and no live agent (oldest dispatched at " + Instant.ofEpochMilli(e.getValue()) + ")"), due, state), now);
            }
        }
    }

    /** The rules that fire on the condition: the job's own (latest registered definition) and the matching global ones. */
    private List<Rule> rules(AlertCondition c, String job, List<String> pools) {
        List<Rule> out = new ArrayList<>();
        if (job != null) {
            byte[] bytes = jobs.get(job);
            if (bytes != null) {
                try {
                    JobDefinition def = jobSerde.deserialize(topics.jobs(), bytes);
                    def.getAlerts().stream().map(r -> Rule.ofJob(job, r)).filter(r -> r.firesOn(c)).forEach(out::add);
                } catch (SerializationException e) {
                    log.warn("Cannot read the definition of job {}: {}", job, e.getMessage());
                }
            }
        }
        globalRules.stream().filter(r -> r.firesOn(c) && r.appliesToJob(job) && (pools == null || r.appliesToPools(pools)))
                .forEach(out::add);
        return out;
    }

    private void emit(List<IncidentEvent> events, long timestamp) {
        for (IncidentEvent e : events) {
            applier.apply(e, state);
            String id = e.getIncidentId();
            context.forward(new Record<>(id, new Routed(topics.incidents(), eventSerde.serialize(topics.incidents(), e)), timestamp));
            if (e.getIncident() != null && !(e.getPayload() instanceof dev.baton.events.IncidentCommandRejected)) {
                context.forward(new Record<>(id, new Routed(topics.incidentsLatest(),
                        incidentSerde.serialize(topics.incidentsLatest(), e.getIncident())), timestamp));
            }
            Notifications.alertFor(e).ifPresent(a -> context.forward(new Record<>(id,
                    new Routed(topics.alerts(), alertSerde.serialize(topics.alerts(), a)), timestamp)));
        }
        if (!events.isEmpty()) {
            context.commit(); // incidents are rare and people wait for them: do not hold them for the commit interval
        }
    }

    /** The state stores seen through the decider's and applier's interfaces. */
    private final class State implements IncidentState {
        @Override
        public Incident incident(String incidentId) {
            byte[] b = incidents.get(incidentId);
            return b == null ? null : incidentSerde.deserialize(topics.incidentsLatest(), b);
        }

        @Override
        public GroupState group(String groupKey) {
            byte[] b = groups.get(groupKey);
            return b == null ? GroupState.empty(groupKey) : Json.read(b, GroupState.class);
        }

        @Override
        public Long clearedAt(String clearKey) {
            return clears.get(clearKey);
        }

        @Override
        public List<Incident> openIncidents() {
            List<Incident> open = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> it = groups.all()) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    GroupState g = Json.read(kv.value, GroupState.class);
                    if (g.openIncidentId() != null) {
                        Incident i = incident(g.openIncidentId());
                        if (i != null && i.getStatus() != IncidentStatus.RESOLVED) {
                            open.add(i);
                        }
                    }
                }
            }
            return open;
        }

        @Override
        public void putIncident(Incident incident) {
            incidents.put(incident.getIncidentId(), incidentSerde.serialize(topics.incidentsLatest(), incident));
        }

        @Override
        public void putGroup(GroupState group) {
            groups.put(group.key(), Json.write(group));
        }
    }
}
