package dev.lamina.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesValuesAsPythonWould() {
        Object v = Json.parse(" {\"b\": [1, 2.5, -3e2, true, null], \"a\": \"x\\n\\u00e9\\ud83e\\udd99\"} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertEquals(Arrays.asList(1L, 2.5, -300.0, true, null), m.get("b"));
        assertEquals("x\né🦙", m.get("a"));
    }

    @Test
    void writeIsTheInverseOfParse() {
        String text = "{\"a\":[1,2.5,true,null,\"q\\\"\\\\\\n\\u0001é\"],\"b\":{}}";
        assertEquals(text, Json.write(Json.parse(text)));
    }

    @Test
    void rejectsMalformedInputWithAPosition() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[1,\n 2,]"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(JsonException.class, () -> Json.parse("{\"a\": 1} x"));
        assertThrows(JsonException.class, () -> Json.parse("\"unterminated"));
        assertThrows(JsonException.class, () -> Json.parse("01"));
    }
}
