package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.FinishReason;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.GenerationResult;
import dev.lamina.InvalidArgumentException;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GBNF grammars through the Java API and the CLI. */
class GrammarTest {
    private static final String MODEL = "llama2-mha-f32.gguf";

    @Test
    void sampledOutputAlwaysMatchesTheGrammar() {
        String gbnf = """
                # an answer, a count and an ending
                root   ::= answer ", " count " items" ("!" | ".")
                answer ::= "yes" | "no" | "maybe"
                count  ::= [1-9] [0-9]{1,2}
                """;
        Pattern same = Pattern.compile("(yes|no|maybe), [1-9][0-9]{1,2} items[!.]");
        GenerationOptions options = GenerationOptions.sampled(1.0f, 0, 1.0f, 0).maxTokens(100).grammar(gbnf);
        try (Model model = Model.load(TestData.model(MODEL));
             Session session = model.newSession(SessionOptions.builder().contextLength(256).build())) {
            for (int seed = 1; seed <= 50; seed++) {
                session.truncate(0);
                GenerationResult r = session.generate("Answer:", options.seed(seed)).result();
                assertEquals(FinishReason.END_OF_GENERATION, r.finishReason(), r.text());
                assertTrue(same.matcher(r.text()).matches(), "seed " + seed + ": '" + r.text() + "'");
            }
            // Without the grammar the same chain says something else entirely.
            session.truncate(0);
            String free = session.generate("Answer:", options.grammar(null).maxTokens(10).seed(1)).result().text();
            assertTrue(!same.matcher(free).matches(), free);
        }
    }

    @Test
    void aBadGrammarIsAnErrorNamingLineAndColumn() {
        GenerationOptions options = GenerationOptions.greedy().grammar("root ::= item+\nitem ::= [a-z\n");
        try (Model model = Model.load(TestData.model(MODEL));
             Session session = model.newSession(SessionOptions.builder().contextLength(64).build())) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> session.generate("Hi", options));
            assertTrue(e.getMessage().contains("grammar: line 2, column 10: a character class is not closed"), e.getMessage());
            InvalidArgumentException undefined = assertThrows(InvalidArgumentException.class,
                    () -> session.generate("Hi", options.grammar("root ::= greeting \"!\"\n")));
            assertTrue(undefined.getMessage().contains("line 1, column 10: undefined rule 'greeting'"), undefined.getMessage());
            // The session is still usable.
            try (Generation g = session.generate("Hi", GenerationOptions.greedy().maxTokens(2))) {
                assertEquals(2, g.result().generatedTokens());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().grammar(" "));
        assertNull(GenerationOptions.greedy().grammar("root ::= \"a\"").grammar(null).grammar());
    }

    @Test
    void theCliTakesGrammarAndSchemaFiles() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("lamina-grammar");
        java.nio.file.Path grammar = java.nio.file.Files.writeString(dir.resolve("g.gbnf"), "root ::= \"ok\" [0-9]\n");
        java.nio.file.Path schema = java.nio.file.Files.writeString(dir.resolve("s.json"),
                "{\"type\":\"object\",\"properties\":{\"n\":{\"enum\":[1,2]}},\"required\":[\"n\"]}");
        java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad.json"), "{\"type\": [}");
        String model = TestData.model(MODEL).toString();
        CliTest.Run g = CliTest.lamina("run", "-m", model, "-p", "Hi", "-n", "20", "--seed", "1", "--grammar", grammar.toString());
        assertEquals(0, g.exitCode(), g.err());
        assertTrue(g.out().strip().matches("ok[0-9]"), g.out());
        CliTest.Run s = CliTest.lamina("run", "-m", model, "-p", "Hi", "-n", "60", "--seed", "1", "--json-schema", schema.toString());
        assertEquals(0, s.exitCode(), s.err());
        assertTrue(s.out().replaceAll("\\s", "").matches("\\{\"n\":[12]}"), s.out());
        CliTest.Run b = CliTest.lamina("run", "-m", model, "-p", "Hi", "--json-schema", bad.toString());
        assertTrue(b.exitCode() != 0);
        assertTrue(b.err().contains("--json-schema " + bad + ": JSON schema: line 1, column 11: expected a value, found '}'"),
                b.err());
    }
}
