package dev.baton.gateway.internal.registry;

import dev.baton.events.JobDefinition;
import dev.baton.events.RegistrationRejection;
import dev.baton.gateway.internal.assets.AssetRegistration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Decides one registration against the latest registered definition of every job: a new version, the same
 * definition again, or a refusal by the cross-job asset rules. Pure: no clock, no store, no I/O.
 */
public final class RegistryDecider {

    /** The verdict on one registration. */
    public sealed interface Decision {
        /** Accepted: {@code definition} carries the new version. */
        record Registered(JobDefinition definition) implements Decision {}

        /** Equal to the latest version apart from version and registration time: nothing to write. */
        record Unchanged(int version) implements Decision {}

        /** Refused; {@code currentVersion} is 0 when the job has no version yet. */
        record Rejected(RegistrationRejection rejection, List<AssetRegistration.Problem> problems, int currentVersion)
                implements Decision {}
    }

    private RegistryDecider() {}

    /**
     * @param latest    the latest definition of the candidate's job, or null when it has none
     * @param registered the latest definition of every registered job (the candidate's own is ignored)
     * @param candidate the definition to register (its version is ignored)
     */
    public static Decision decide(JobDefinition latest, Collection<JobDefinition> registered, JobDefinition candidate) {
        if (latest != null && sameContent(latest, candidate)) {
            return new Decision.Unchanged(latest.getVersion());
        }
        List<AssetRegistration.Problem> problems = AssetRegistration.check(registered, candidate);
        int current = latest == null ? 0 : latest.getVersion();
        if (!problems.isEmpty()) {
            return new Decision.Rejected(rejection(problems), problems, current);
        }
        return new Decision.Registered(JobDefinition.newBuilder(candidate).setVersion(current + 1).build());
    }

    /** The rejection a caller sees first: ownership before cycles before anything else. */
    static RegistrationRejection rejection(List<AssetRegistration.Problem> problems) {
        boolean cycle = false;
        for (AssetRegistration.Problem p : problems) {
            switch (p.rule()) {
                case ONE_PRODUCER -> {
                    return RegistrationRejection.ASSET_OWNED_BY_OTHER_JOB;
                }
                case NO_CYCLE -> cycle = true;
                case GRAPH -> { }
            }
        }
        return cycle ? RegistrationRejection.ASSET_CYCLE : RegistrationRejection.INVALID;
    }

    /** Equal apart from the version and registration time: registering it again changes nothing. */
    public static boolean sameContent(JobDefinition a, JobDefinition b) {
        return JobDefinition.newBuilder(a).setVersion(0).setRegisteredAt(Instant.EPOCH).build()
                .equals(JobDefinition.newBuilder(b).setVersion(0).setRegisteredAt(Instant.EPOCH).build());
    }
}
