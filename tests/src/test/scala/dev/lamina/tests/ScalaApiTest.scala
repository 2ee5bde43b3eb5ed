package dev.lamina.tests

import dev.lamina.{Chat, EmbedderOptions, FinishReason, GenerationOptions, Model, Pooling, SessionOptions}
import org.junit.jupiter.api.Assertions.{assertArrayEquals, assertEquals, assertTrue}
import org.junit.jupiter.api.Test

import java.util.concurrent.{CountDownLatch, TimeUnit}
import scala.concurrent.duration.*
import scala.concurrent.{Await, ExecutionContext, Future}
import scala.jdk.CollectionConverters.*
import scala.util.Using

/** Scala 3 users' path through the API: `Using`, iterators, Futures for cancellation. */
class ScalaApiTest:
  private val stories = "stories260K-f32.gguf"
  given ExecutionContext = ExecutionContext.global

  @Test
  def anIteratorTakenShortLeavesTheRestUngenerated(): Unit =
    Using.Manager { use =>
      val model = use(Model.load(TestData.model(stories)))
      val session = use(model.newSession())
      // A generation continues its session's context: the full run gets a session of its own.
      val full = Using.resource(use(model.newSession()).generate("Once upon", GenerationOptions.greedy().maxTokens(20)))(
        _.iterator().asScala.map(_.id()).toVector)
      val generation = use(session.generate("Once upon", GenerationOptions.greedy().maxTokens(20)))
      val first = generation.iterator().asScala.take(5).map(_.id()).toVector
      generation.close()
      assertEquals(full.take(5), first)
      assertEquals(FinishReason.CANCELLED, generation.result().finishReason())
      assertEquals(5, generation.result().generatedTokens())
    }.get

  @Test
  def cancelFromAnotherThreadStopsAGenerationConsumedInAFuture(): Unit =
    Using.Manager { use =>
      val model = use(Model.load(TestData.model(stories)))
      val session = use(model.newSession(SessionOptions.builder().contextLength(2048).build()))
      val generation = use(session.generate("Once", GenerationOptions.greedy().maxTokens(100000)))
      val started = CountDownLatch(1)
      val consumed = Future {
        generation.iterator().asScala.map { t => started.countDown(); Thread.sleep(2); t }.size
      }
      assertTrue(started.await(30, TimeUnit.SECONDS), "no token within 30 s")
      generation.cancel()
      val n = Await.result(consumed, 30.seconds)
      assertEquals(FinishReason.CANCELLED, generation.result().finishReason())
      assertTrue(n < 2048, s"stopped after $n tokens")
    }.get

  @Test
  def aChatKeepsItsHistoryAcrossTurns(): Unit =
    Using.Manager { use =>
      val model = use(Model.load(TestData.model("llama3-gqa-f16.gguf")))
      val session = use(model.newSession(SessionOptions.builder().contextLength(512).build()))
      val chat = Chat.builder(session).options(GenerationOptions.greedy().maxTokens(8)).build()
      val first = use(chat.send("Hi there")).iterator().asScala.map(_.text()).mkString
      use(chat.send("Tell me more")).iterator().asScala.foreach(_ => ())
      assertEquals(List("user", "assistant", "user", "assistant"), chat.history().asScala.map(_.role()).toList)
      assertEquals(first, chat.history().get(1).content())
      assertTrue(chat.lastReusedTokens() > 0)
    }.get

  @Test
  def embeddingsOfManyTextsEqualEachAlone(): Unit =
    Using.Manager { use =>
      val model = use(Model.load(TestData.model(stories)))
      val embedder = use(model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.LAST).normalize(true).build()))
      val texts = Seq("Once upon a time", "The dog barked.", "Lily and Tom")
      val together = embedder.embed(texts.asJava).asScala.toSeq
      texts.zip(together).foreach { (text, vector) =>
        assertArrayEquals(embedder.embed(text), vector, 1e-5f, text)
        assertEquals(1.0, vector.map(v => v.toDouble * v).sum, 1e-4)
      }
    }.get

  @Test
  def aSnapshotRestoresTheLogitsExactly(): Unit =
    Using.Manager { use =>
      val model = use(Model.load(TestData.model(stories)))
      val session = use(model.newSession())
      session.evaluate(model.tokenizer().encode("Once upon a time"))
      val snapshot = session.snapshot()
      val before = session.logitsArray(session.logitRows() - 1)
      session.evaluate(model.tokenizer().encode(" there was", false, false))
      session.restore(snapshot)
      assertArrayEquals(before, session.logitsArray(session.logitRows() - 1))
    }.get

  @Test
  def aJsonSchemaShapesEveryGeneration(): Unit =
    val schema = """{"type": "object", "properties": {"tags": {"type": "array", "items": {"enum": ["a", "b", "c"]},
      "minItems": 1, "maxItems": 3}}, "required": ["tags"], "additionalProperties": false}"""
    val mapper = com.fasterxml.jackson.databind.ObjectMapper()
    Using.Manager { use =>
      val model = use(Model.load(TestData.model("llama2-mha-f32.gguf")))
      for seed <- 1 to 5 do
        val session = use(model.newSession())
        val options = GenerationOptions.sampled(1.0f, 40, 0.95f, seed.toLong).maxTokens(80).jsonSchema(schema)
        val generation = use(session.generate("Tags:", options))
        val text = generation.iterator().asScala.map(_.text()).mkString
        assertEquals(FinishReason.END_OF_GENERATION, generation.result().finishReason(), text)
        val tags = mapper.readTree(text).get("tags").elements().asScala.map(_.asText()).toList
        assertTrue(tags.nonEmpty && tags.size <= 3 && tags.forall(Set("a", "b", "c")), text)
    }.get
