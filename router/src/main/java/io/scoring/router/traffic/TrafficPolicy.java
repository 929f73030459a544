package io.scoring.router.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a model's traffic is split: a champion; optionally a canary taking a share of the keys; any
 * number of shadows, each scoring a sampled share of the requests off the response path. Shares are
 * percentages with at most two decimals, held as hundredths of a percent (basis points of
 * {@link Buckets#COUNT}).
 *
 * <p>JSON: {@code {"champion":"1","canary":{"version":"2","percent":10},"shadows":[{"version":"3","percent":100}]}}.
 * Immutable; {@link #parse} rejects anything malformed with a message that names the field.
 */
public final class TrafficPolicy
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A version with a share of traffic, in hundredths of a percent. */
    public record Share(String version, int basisPoints)
    {
        public double percent()
        {
            return basisPoints / 100.0;
        }
    }

    private final String champion;
    private final Share canary;
    private final List<Share> shadows;

    public TrafficPolicy(final String champion, final Share canary, final List<Share> shadows)
    {
        this.champion = Objects.requireNonNull(champion);
        this.canary = canary;
        this.shadows = List.copyOf(shadows);
    }

    public static TrafficPolicy championOnly(final String champion)
    {
        return new TrafficPolicy(champion, null, List.of());
    }

    public String champion()
    {
        return champion;
    }

    /** The canary, or null. */
    public Share canary()
    {
        return canary;
    }

    public List<Share> shadows()
    {
        return shadows;
    }

    /** The versions this policy sends traffic to, live or shadow. */
    public Set<String> versions()
    {
        final Set<String> versions = new HashSet<>();
        versions.add(champion);
        if (null != canary)
        {
            versions.add(canary.version());
        }
        shadows.forEach((shadow) -> versions.add(shadow.version()));
        return versions;
    }

    public TrafficPolicy withChampion(final String version)
    {
        return new TrafficPolicy(version, null, shadows.stream().filter((s) -> !s.version().equals(version)).toList());
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    public static TrafficPolicy parse(final JsonNode json)
    {
        if (null == json || !json.isObject())
        {
            throw new IllegalArgumentException("the traffic policy must be a JSON object");
        }
        for (final var fields = json.fieldNames(); fields.hasNext(); )
        {
            final String field = fields.next();
            if (!Set.of("champion", "canary", "shadows").contains(field))
            {
                throw new IllegalArgumentException("unknown field '" + field + "'");
            }
        }
        final JsonNode championNode = json.get("champion");
        if (null == championNode || !championNode.isTextual() || championNode.asText().isEmpty())
        {
            throw new IllegalArgumentException("'champion' is required: the version that takes the remaining traffic");
        }
        final String champion = championNode.asText();

        Share canary = null;
        final JsonNode canaryNode = json.get("canary");
        if (null != canaryNode && !canaryNode.isNull())
        {
            canary = parseShare(canaryNode, "canary");
            if (canary.version().equals(champion))
            {
                throw new IllegalArgumentException("canary: version '" + champion + "' is already the champion");
            }
        }

        final List<Share> shadows = new ArrayList<>();
        final JsonNode shadowNodes = json.get("shadows");
        if (null != shadowNodes && !shadowNodes.isNull())
        {
            if (!shadowNodes.isArray())
            {
                throw new IllegalArgumentException("'shadows' must be an array");
            }
            final Set<String> seen = new HashSet<>();
            for (int i = 0; i < shadowNodes.size(); i++)
            {
                final Share shadow = parseShare(shadowNodes.get(i), "shadows[" + i + "]");
                if (shadow.version().equals(champion))
                {
                    throw new IllegalArgumentException("shadows[" + i + "]: a shadow cannot be the champion ('" + champion + "')");
                }
                if (null != canary && shadow.version().equals(canary.version()))
                {
                    throw new IllegalArgumentException("shadows[" + i + "]: version '" + shadow.version() + "' is the canary");
                }
                if (!seen.add(shadow.version()))
                {
                    throw new IllegalArgumentException("shadows[" + i + "]: version '" + shadow.version() + "' is listed twice");
                }
                shadows.add(shadow);
            }
        }
        return new TrafficPolicy(champion, canary, shadows);
    }

    private static Share parseShare(final JsonNode node, final String where)
    {
        if (!node.isObject())
        {
            throw new IllegalArgumentException(where + ": must be an object {\"version\": ..., \"percent\": ...}");
        }
        final JsonNode version = node.get("version");
        if (null == version || !version.isTextual() || version.asText().isEmpty())
        {
            throw new IllegalArgumentException(where + ".version: required, a version name");
        }
        final JsonNode percent = node.get("percent");
        if (null == percent || !percent.isNumber())
        {
            throw new IllegalArgumentException(where + ".percent: required, a number from 0 to 100");
        }
        final BigDecimal value = percent.decimalValue();
        if (value.compareTo(BigDecimal.ZERO) < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0)
        {
            throw new IllegalArgumentException(where + ".percent: " + value.toPlainString() + " is out of range 0-100");
        }
        final BigDecimal hundredths = value.movePointRight(2);
        if (hundredths.stripTrailingZeros().scale() > 0)
        {
            throw new IllegalArgumentException(where + ".percent: " + value.toPlainString() + " has more than two decimals");
        }
        return new Share(version.asText(), hundredths.intValueExact());
    }

    public ObjectNode toJson()
    {
        final ObjectNode json = JSON.createObjectNode().put("champion", champion);
        if (null == canary)
        {
            json.putNull("canary");
        }
        else
        {
            json.putObject("canary").put("version", canary.version()).put("percent", canary.percent());
        }
        final var shadowArray = json.putArray("shadows");
        shadows.forEach((s) -> shadowArray.addObject().put("version", s.version()).put("percent", s.percent()));
        return json;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof TrafficPolicy that && champion.equals(that.champion) &&
            Objects.equals(canary, that.canary) && shadows.equals(that.shadows);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(champion, canary, shadows);
    }

    @Override
    public String toString()
    {
        return toJson().toString();
    }
}
