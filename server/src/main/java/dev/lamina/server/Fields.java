package dev.lamina.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of a request's JSON fields: a field that is present with the wrong type or out of
 * range is a 400 naming it; an absent or {@code null} field takes the default.
 */
final class Fields {
    private final ObjectNode body;

    Fields(ObjectNode body) {
        this.body = body;
    }

    static Fields of(JsonNode root) {
        if (!(root instanceof ObjectNode object)) {
            throw ApiError.badRequest("the request body must be a JSON object");
        }
        return new Fields(object);
    }

    ObjectNode node() {
        return body;
    }

    boolean has(String name) {
        JsonNode v = body.get(name);
        return v != null && !v.isNull();
    }

    JsonNode get(String name) {
        JsonNode v = body.get(name);
        return v == null || v.isNull() ? null : v;
    }

    String string(String name, String fallback) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw ApiError.badField(name, "'" + name + "' must be a string, got " + kind(v));
        }
        return v.textValue();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiError.badField(name, "'" + name + "' must be a boolean, got " + kind(v));
        }
        return v.booleanValue();
    }

    /** An integer in [min, max]; {@code fallback} when absent. */
    long integer(String name, long min, long max, long fallback) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        return integerValue(name, v, min, max);
    }

    static long integerValue(String name, JsonNode v, long min, long max) {
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw ApiError.badField(name, "'" + name + "' must be an integer, got " + kind(v));
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiError.badField(name, "'" + name + "' must be between " + min + " and " + max + ", got " + v);
        }
        return v.longValue();
    }

    /** A finite number in [min, max]; {@code fallback} when absent. */
    double number(String name, double min, double max, double fallback) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw ApiError.badField(name, "'" + name + "' must be a number, got " + kind(v));
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d) || d < min || d > max) {
            throw ApiError.badField(name, "'" + name + "' must be between " + min + " and " + max + ", got " + v);
        }
        return d;
    }

    /** A string or an array of strings (as {@code stop} is); empty when absent. */
    List<String> strings(String name, int maxItems) {
        JsonNode v = get(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.textValue());
        } else if (v.isArray()) {
            if (v.size() > maxItems) {
                throw ApiError.badField(name, "'" + name + "' may hold at most " + maxItems + " strings, got " + v.size());
            }
            for (JsonNode item : v) {
                if (!item.isTextual()) {
                    throw ApiError.badField(name, "'" + name + "' must hold strings only, got " + kind(item));
                }
                out.add(item.textValue());
            }
        } else {
            throw ApiError.badField(name, "'" + name + "' must be a string or an array of strings, got " + kind(v));
        }
        for (String s : out) {
            if (s.isEmpty()) {
                throw ApiError.badField(name, "'" + name + "' must not hold empty strings");
            }
        }
        return out;
    }

    /** An object, or null when absent. */
    ObjectNode object(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof ObjectNode o)) {
            throw ApiError.badField(name, "'" + name + "' must be an object, got " + kind(v));
        }
        return o;
    }

    static String kind(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "a string";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        if (v.isNumber()) {
            return "the number " + v;
        }
        if (v.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
