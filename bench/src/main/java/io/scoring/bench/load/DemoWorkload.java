package io.scoring.bench.load;

import io.scoring.proto.v1.PredictRequest;

import java.io.IOException;

/** The load generator's demo requests, for benchmarks that want the very bytes a run sends. */
public final class DemoWorkload
{
    private DemoWorkload()
    {
    }

    /** The own API's gRPC requests for the bundled demo, one applicant per request, as {@code LoadGenerator} sends them. */
    public static PredictRequest[] ownRequests() throws IOException
    {
        return Workload.load(LoadOptions.parse()).ownRequests();
    }
}
