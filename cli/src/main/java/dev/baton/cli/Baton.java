package dev.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command line. */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = Baton.Version.class,
        description = "Baton: a Kafka-native orchestrator for data pipelines and recurring jobs.",
        subcommands = {
                DevCommand.class, BenchCommand.class,
                ClientCommands.Apply.class, ClientCommands.Run.class, ClientCommands.Runs.class, ClientCommands.Logs.class,
                ClientCommands.Cancel.class, ClientCommands.Retry.class, ClientCommands.Assets.class, ClientCommands.Lineage.class,
                ClientCommands.Agents.class, BackfillCommands.Backfill.class, BackfillCommands.Backfills.class,
                ScheduleCommands.Schedules.class, PartitionCommands.Partitions.class,
                TokensCommand.class, AuditCommand.class, IncidentCommands.Incidents.class,
                ServiceCommands.CoordinatorCmd.class, ServiceCommands.SchedulerCmd.class, ServiceCommands.AgentCmd.class,
                ServiceCommands.GatewayCmd.class, ServiceCommands.RegistryCmd.class, ServiceCommands.BrokerCmd.class,
                ServiceCommands.TopicsCmd.class, ServiceCommands.AlertingCmd.class,
                CommandLine.HelpCommand.class})
public final class Baton {
    private Baton() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(Baton.class);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getColorScheme().errorText("error: " + ex.getMessage()));
            if (System.getenv("BATON_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Baton.class.getPackage().getImplementationVersion();
            return new String[] {"baton " + (v == null ? "dev" : v)};
        }
    }
}
