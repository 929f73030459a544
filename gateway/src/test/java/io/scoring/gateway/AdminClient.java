package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A real HTTP client of a gateway's admin API, sending a bearer token (or not) with every call. */
final class AdminClient
{
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int port;
    private final String token;

    /** @param token sent as {@code Authorization: Bearer <token>}; null: no Authorization header */
    AdminClient(final int port, final String token)
    {
        this.port = port;
        this.token = token;
    }

    HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return send("GET", path, null);
    }

    HttpResponse<String> put(final String path, final String json) throws IOException, InterruptedException
    {
        return send("PUT", path, json);
    }

    HttpResponse<String> post(final String path) throws IOException, InterruptedException
    {
        return send("POST", path, null);
    }

    /** @param headers name, value, name, value... added to the token's */
    HttpResponse<String> send(final String method, final String path, final String body, final String... headers)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0)
        {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(final HttpResponse<String> response) throws IOException
    {
        return JSON.readTree(response.body());
    }

    /** A version's entry in a model's description ({@code describe}), or null. */
    static JsonNode version(final JsonNode model, final String version)
    {
        for (final JsonNode entry : model.get("versions"))
        {
            if (entry.get("version").asText().equals(version))
            {
                return entry;
            }
        }
        return null;
    }
}
