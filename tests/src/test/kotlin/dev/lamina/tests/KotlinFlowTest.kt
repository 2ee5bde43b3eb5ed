package dev.lamina.tests

import dev.lamina.Chat
import dev.lamina.EmbedderOptions
import dev.lamina.FinishReason
import dev.lamina.GeneratedToken
import dev.lamina.GenerationOptions
import dev.lamina.Model
import dev.lamina.Pooling
import dev.lamina.SessionOptions
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.jdk9.asFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.TimeoutCancellationException
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/** Kotlin users' path: token streams as `Flow`, coroutine cancellation reaching the engine. */
class KotlinFlowTest {
    private val stories = "stories260K-f32.gguf"

    @Test
    fun `a generation collected as a Flow gives the tokens the iterator gives`() = runBlocking {
        Model.load(TestData.model(stories)).use { model ->
            val options = GenerationOptions.greedy().maxTokens(24)
            val expected = model.newSession().use { s -> s.generate("Once upon", options).use { g -> g.map { it.id() } } }
            model.newSession().use { session ->
                val generation = session.generate("Once upon", options)
                val ids = generation.publisher().asFlow().map { it.id() }.toList()
                assertEquals(expected, ids)
                assertEquals(FinishReason.MAX_TOKENS, generation.result().finishReason())
            }
        }
    }

    @Test
    fun `taking a few tokens cancels the generation and the session stays usable`() = runBlocking {
        Model.load(TestData.model(stories)).use { model ->
            model.newSession().use { session ->
                val generation = session.generate("Once upon a time", GenerationOptions.greedy().maxTokens(200))
                val three = generation.publisher().asFlow().take(3).toList()
                assertEquals(3, three.size)
                assertEquals(FinishReason.CANCELLED, generation.result().finishReason())
                // asFlow() requests ahead (its buffer), so a few more may have been made.
                val made = generation.result().generatedTokens()
                assertTrue(made in 3..80, "generated $made")
                // The same session generates again right away.
                session.generate("One day", GenerationOptions.greedy().maxTokens(5)).use { g ->
                    assertEquals(5, g.stream().count().toInt())
                }
            }
        }
    }

    @Test
    fun `cancelling the collecting coroutine stops the engine`() = runBlocking {
        Model.load(TestData.model(stories)).use { model ->
            model.newSession().use { session ->
                val generation = session.generate("Once upon a time", GenerationOptions.greedy().maxTokens(100_000))
                val started = CountDownLatch(1)
                val job = launch(Dispatchers.Default) {
                    generation.publisher().asFlow().onEach { started.countDown() }.collect { delay(20) }
                }
                assertTrue(started.await(30, TimeUnit.SECONDS), "no token within 30 s")
                job.cancel()
                job.join()
                // The stream's end closes the generation; wait for the producer to finish it.
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5)
                while (!generation.isFinished() && System.nanoTime() < deadline) Thread.sleep(5)
                assertEquals(FinishReason.CANCELLED, generation.result().finishReason())
                assertTrue(generation.result().generatedTokens() < 100_000)
            }
        }
    }

    @Test
    fun `a timeout around collection cancels too`() = runBlocking {
        Model.load(TestData.model(stories)).use { model ->
            model.newSession().use { session ->
                val generation = session.generate("Once", GenerationOptions.greedy().maxTokens(100_000))
                assertThrows(TimeoutCancellationException::class.java) {
                    // A slow consumer: the context (512) cannot fill before the timeout.
                    runBlocking { withTimeout(300) { generation.publisher().asFlow().collect { delay(20) } } }
                }
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5)
                while (!generation.isFinished() && System.nanoTime() < deadline) Thread.sleep(5)
                assertEquals(FinishReason.CANCELLED, generation.result().finishReason())
            }
        }
    }

    @Test
    fun `a chat reply streams as a Flow and joins the history`() = runBlocking {
        Model.load(TestData.model("llama3-gqa-f16.gguf")).use { model ->
            model.newSession(SessionOptions.builder().contextLength(512).build()).use { session ->
                val chat = Chat.builder(session).systemPrompt("Be brief.").options(GenerationOptions.greedy().maxTokens(12)).build()
                val text = chat.send("Hello!").publisher().asFlow().toList().joinToString("") { it.text() }
                assertEquals(listOf("system", "user", "assistant"), chat.history().map { it.role() })
                assertEquals(text, chat.history().last().content())
                chat.send("And again?").publisher().asFlow().collect {}
                assertEquals(5, chat.history().size)
                assertTrue(chat.lastReusedTokens() > 0, "the second turn reuses the first turn's cache")
            }
        }
    }

    @Test
    fun `embedding from coroutines on several models at once`() = runBlocking {
        Model.load(TestData.model(stories)).use { model ->
            model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.MEAN).normalize(true).build()).use { embedder ->
                val texts = listOf("Once upon a time", "The cat sat.", "A dog ran to the park.")
                val together = withContext(Dispatchers.IO) { embedder.embed(texts) }
                // The embedder is synchronized: coroutines on other threads may share it.
                val alone = texts.map { t -> async(Dispatchers.IO) { embedder.embed(t) } }.awaitAll()
                for (i in texts.indices) assertArrayEquals(together[i], alone[i], 1e-5f, "text $i")
            }
        }
    }

    @Test
    fun `a publisher takes one subscriber`() = runBlocking {
        Model.load(TestData.model(stories)).use { model ->
            model.newSession().use { session ->
                val publisher = session.generate("Once", GenerationOptions.greedy().maxTokens(3)).publisher()
                assertEquals(3, publisher.asFlow().toList().size)
                val e = assertThrows(IllegalStateException::class.java) { runBlocking { publisher.asFlow().toList() } }
                assertTrue(e.message!!.contains("once"), e.message)
            }
        }
    }

    @Test
    fun `a JSON schema shapes what the Flow delivers`() = runBlocking {
        val schema = """{"type": "object", "properties": {"name": {"type": "string", "maxLength": 10},
            "age": {"type": "integer", "minimum": 0, "maximum": 120}}, "required": ["name", "age"], "additionalProperties": false}"""
        Model.load(TestData.model("llama2-mha-f32.gguf")).use { model ->
            repeat(5) { seed ->
                model.newSession().use { session ->
                    val options = GenerationOptions.sampled(1.0f, 40, 0.95f, seed.toLong()).maxTokens(120).jsonSchema(schema)
                    val generation = session.generate("A person:", options)
                    val text = generation.publisher().asFlow().toList().joinToString("") { it.text() }
                    assertEquals(FinishReason.END_OF_GENERATION, generation.result().finishReason(), text)
                    val node = com.fasterxml.jackson.databind.ObjectMapper().readTree(text)
                    assertEquals(setOf("name", "age"), node.fieldNames().asSequence().toSet(), text)
                    assertTrue(node["name"].isTextual && node["name"].asText().length <= 10, text)
                    assertTrue(node["age"].asInt() in 0..120, text)
                }
            }
        }
    }
}
