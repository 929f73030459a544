package io.scoring.gateway;

import io.scoring.gateway.cli.AdminCli;
import sun.misc.Signal;

import java.util.Arrays;

/**
 * {@code java -jar scoring-gateway.jar [--http-port N] [--grpc-port N] [--models DIR] ...}: serves
 * until SIGTERM or SIGINT, then drains and exits 0. A bad setting (the message names it and the value)
 * or a model that fails to load exits 2 with the reason; {@code --help} lists every setting.
 *
 * <p>{@code java -jar scoring-gateway.jar admin <command> ...} is the admin CLI instead ({@link AdminCli}).
 */
public final class Main
{
    static
    {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    }

    private Main()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "admin".equals(args[0]))
        {
            System.exit(AdminCli.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
            return;
        }
        if (args.length > 0 && "load-features".equals(args[0]))
        {
            System.exit(loadFeatures(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }

        if (Arrays.asList(args).contains("--help"))
        {
            System.out.println(usage());
            System.exit(0);
            return;
        }

        final GatewayConfig config;
        try
        {
            config = GatewayConfig.resolve(args, System.getenv());
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("scoring-gateway: " + ex.getMessage());
            System.err.println("every setting: java -jar scoring-gateway.jar --help");
            System.exit(2);
            return;
        }

        final ScoringGateway gateway;
        try
        {
            gateway = ScoringGateway.start(config);
        }
        catch (final java.io.IOException ex)
        {
            System.err.println("scoring-gateway: " + ex.getMessage());
            System.exit(2);
            return;
        }

        // The JVM's default for SIGTERM exits 143 at once; a drain needs the signal handled here.
        final sun.misc.SignalHandler drainAndExit = (signal) -> new Thread(() ->
        {
            try
            {
                gateway.drain();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "drain").start();
        Signal.handle(new Signal("TERM"), drainAndExit);
        Signal.handle(new Signal("INT"), drainAndExit);

        gateway.blockUntilShutdown();
        System.exit(0);
    }

    /** {@code load-features redis://host:port [SNAPSHOT]}: the demo applicants (or a snapshot) into Redis, Feast's layout. */
    private static int loadFeatures(final String[] args)
    {
        try
        {
            final long entities = FeatureStores.loadIntoRedis(args);
            System.out.println("loaded " + entities + " entities into " + args[0]);
            return 0;
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("scoring-gateway: " + ex.getMessage());
            return 2;
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            System.err.println("scoring-gateway: load-features failed: " + ex.getMessage());
            return 1;
        }
    }

    static String usage()
    {
        return new StringBuilder("usage: java -jar scoring-gateway.jar [--SETTING V | --SETTING=V]...")
            .append("\n  each setting is a flag, an environment variable, or a line SETTING=V of the --config file;")
            .append("\n  flags win over the environment, the environment over the file (README.md, \"Configuration\"):")
            .append(Settings.usage())
            .append("\n  the admin API's bearer token comes from SCORING_ADMIN_TOKEN")
            .append("\nusage: java -jar scoring-gateway.jar admin --help   (the admin CLI)")
            .append("\nusage: java -jar scoring-gateway.jar load-features redis://host:port [snapshot]   (features into Redis)")
            .toString();
    }
}
