package dev.lamina.tests

import dev.lamina.BatchSessionOptions
import dev.lamina.GenerationOptions
import dev.lamina.KvType
import dev.lamina.Model
import dev.lamina.SessionOptions
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/** A BatchSession from Kotlin: two sequences decoded together, each as it decodes alone. */
class KotlinBatchSessionTest {
    @Test
    fun `two sequences stepped together give the golden ids and the lone session's ids`() {
        val golden = TestData.golden("stories260K")
        val n = golden.greedyIds().size
        val other = intArrayOf(1, 403, 89, 17)
        Model.load(golden.model()).use { model ->
            val alone = model.newSession(SessionOptions.builder().contextLength(256).kvType(KvType.F32).build()).use { s ->
                s.generate(other, GenerationOptions.greedy().maxTokens(n)).use { g -> g.map { it.id() } }
            }
            val options = BatchSessionOptions.builder().maxSequences(2).contextLength(512).kvType(KvType.F32).build()
            val (fromEmpty, fromOther) = model.newBatchSession(options).use { batch ->
                val a = batch.newSequence().appendText("") // BOS only, as the golden generation starts
                val b = batch.newSequence().append(*other)
                val ids = listOf(a, b).associateWith { mutableListOf<Int>() }
                repeat(n) {
                    batch.step()
                    for ((sequence, out) in ids) {
                        val token = sequence.argmax()
                        out += token
                        sequence.append(token)
                    }
                }
                ids.getValue(a) to ids.getValue(b)
            }
            assertEquals(golden.greedyIds().toList(), fromEmpty)
            assertEquals(alone, fromOther)
        }
    }
}
