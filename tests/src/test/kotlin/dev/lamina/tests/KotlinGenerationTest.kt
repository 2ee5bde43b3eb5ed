package dev.lamina.tests

import dev.lamina.FinishReason
import dev.lamina.GenerationOptions
import dev.lamina.Model
import dev.lamina.SessionOptions
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/** The public API from Kotlin: `use {}` closes model, session and generation. */
class KotlinGenerationTest {
    @Test
    fun `greedy generation on stories260K gives the golden ids`() {
        val golden = TestData.golden("stories260K")
        val ids = Model.load(golden.model()).use { model ->
            model.newSession(SessionOptions.builder().contextLength(256).build()).use { session ->
                session.generate("", GenerationOptions.greedy().maxTokens(golden.greedyIds().size)).use { generation ->
                    val ids = generation.map { it.id() }
                    assertEquals(FinishReason.MAX_TOKENS, generation.result().finishReason())
                    ids
                }
            }
        }
        assertEquals(golden.greedyIds().toList(), ids)
    }
}
