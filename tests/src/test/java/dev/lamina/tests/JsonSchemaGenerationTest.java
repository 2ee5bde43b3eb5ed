package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.lamina.FinishReason;
import dev.lamina.GenerationOptions;
import dev.lamina.GenerationResult;
import dev.lamina.InvalidArgumentException;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Structured output: for each schema, 50 seeded sampled generations (temperature 1, so the
 * random-weight model's choices are spread over the vocabulary and the grammar does the work)
 * must each end by itself and be JSON that an independent validator (networknt) accepts.
 */
class JsonSchemaGenerationTest {
    private static final int RUNS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestData.model("llama2-mha-f32.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static final String PERSON = """
            {"type": "object",
             "properties": {
               "name": {"type": "string", "minLength": 1, "maxLength": 8},
               "age": {"type": "integer", "minimum": 0, "maximum": 120},
               "email": {"type": "string", "maxLength": 10},
               "active": {"type": "boolean"}},
             "required": ["name", "age"]}""";
    private static final String ENUMS = """
            {"type": "object",
             "properties": {"color": {"enum": ["red", "green", "blue"]}, "size": {"enum": [1, 2, 3, null]},
                            "version": {"const": "v1"}},
             "required": ["color", "size", "version"]}""";
    private static final String ARRAY = """
            {"type": "array", "items": {"type": "integer", "minimum": -5, "maximum": 5}, "minItems": 2, "maxItems": 4}""";
    private static final String REFS = """
            {"$defs": {"point": {"type": "object",
                                 "properties": {"x": {"type": "integer", "minimum": 0, "maximum": 9},
                                                "y": {"type": "integer", "minimum": 0, "maximum": 9}},
                                 "required": ["x", "y"]}},
             "type": "object",
             "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"},
                            "day": {"type": "string", "format": "date"}},
             "required": ["from", "to"]}""";
    private static final String ANY_OF = """
            {"type": "object",
             "properties": {"value": {"anyOf": [{"type": "string", "maxLength": 6},
                                                {"type": "integer", "minimum": 0, "maximum": 50},
                                                {"type": "object", "properties": {"ok": {"type": "boolean"}},
                                                 "required": ["ok"]}]},
                            "id": {"type": "string", "format": "uuid"}},
             "required": ["value", "id"]}""";

    @ParameterizedTest(name = "{index}")
    @ValueSource(strings = {PERSON, ENUMS, ARRAY, REFS, ANY_OF})
    void everySampledOutputValidatesAgainstItsSchema(String schemaText) throws Exception {
        Schema validator = VALIDATORS.getSchema(schemaText);
        GenerationOptions options = GenerationOptions.sampled(1.0f, 0, 1.0f, 0).maxTokens(400).jsonSchema(schemaText);
        Set<String> distinct = new HashSet<>();
        try (Session session = model.newSession(SessionOptions.builder().contextLength(512).build())) {
            for (int seed = 1; seed <= RUNS; seed++) {
                session.truncate(0);
                GenerationResult r = session.generate("Output:", options.seed(seed)).result();
                // The budget is far above what these bounded schemas need: running out is a failure.
                assertEquals(FinishReason.END_OF_GENERATION, r.finishReason(), "seed " + seed + ": " + r.text());
                JsonNode value = JSON.readTree(r.text());
                List<com.networknt.schema.Error> errors = validator.validate(value);
                assertTrue(errors.isEmpty(), "seed " + seed + ": " + r.text() + " -> " + errors);
                distinct.add(value.toString());
            }
        }
        // Sampled, not one answer 50 times (the enum schema has only 12 possible outputs).
        assertTrue(distinct.size() >= 3, distinct.size() + " distinct outputs: " + distinct);
    }

    @Test
    void aJsonObjectModeGivesAnObject() throws Exception {
        GenerationOptions options = GenerationOptions.builder().temperature(0.5f).maxTokens(300).jsonObject().seed(3).build();
        try (Session session = model.newSession(SessionOptions.builder().contextLength(512).build())) {
            GenerationResult r = session.generate("Output:", options).result();
            assertTrue(r.text().stripLeading().startsWith("{"), r.text());
            if (r.finishReason() == FinishReason.END_OF_GENERATION) {
                assertTrue(JSON.readTree(r.text()).isObject(), r.text());
            } else {
                // Any object may nest without end: cut by the budget, it is an unfinished object.
                assertEquals(FinishReason.MAX_TOKENS, r.finishReason());
            }
        }
    }

    @Test
    void aBadSchemaIsAnErrorNamingThePlace() {
        InvalidArgumentException notJson = assertThrows(InvalidArgumentException.class,
                () -> GenerationOptions.greedy().jsonSchema("{\"type\": \"object\",\n \"properties\" {}}"));
        assertTrue(notJson.getMessage().contains("JSON schema: line 2, column 15: expected ':' after an object key"),
                notJson.getMessage());
        InvalidArgumentException pattern = assertThrows(InvalidArgumentException.class,
                () -> GenerationOptions.greedy().jsonSchema("{\"properties\": {\"a\": {\"type\": \"string\", \"pattern\": \"x+\"}}}"));
        assertTrue(pattern.getMessage().contains("JSON schema at #/properties/a: pattern is not supported"), pattern.getMessage());
    }
}
