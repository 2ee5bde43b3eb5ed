package dev.lamina.tests

import dev.lamina.{BatchSessionOptions, GenerationOptions, KvType, Model, SessionOptions}
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

import scala.jdk.CollectionConverters.*
import scala.util.Using

/** A BatchSession from Scala 3: one prompt forked into two continuations, each as it decodes alone. */
class ScalaBatchSessionTest:
  private val Steps = 12

  @Test
  def forkedContinuationsDecodeAsTheyDoAlone(): Unit =
    val prefix = Array(1, 365, 214, 32)
    val continuations = Seq(Array(88), Array(260, 7))
    Using.Manager { use =>
      val model = use(Model.load(TestData.model("stories260K-f32.gguf")))
      val alone = continuations.map { c =>
        val session = use(model.newSession(SessionOptions.builder().contextLength(128).kvType(KvType.F32).build()))
        val generation = use(session.generate(prefix ++ c, GenerationOptions.greedy().maxTokens(Steps)))
        generation.iterator().asScala.map(_.id()).toList
      }
      val batch = use(model.newBatchSession(
        BatchSessionOptions.builder().maxSequences(2).contextLength(128).kvType(KvType.F32).build()))
      val first = batch.newSequence().append(prefix*)
      batch.step()
      val sequences = Seq(first, first.fork())
      sequences.zip(continuations).foreach((s, c) => s.append(c*))
      val ids = sequences.map(_ => List.newBuilder[Int])
      for _ <- 0 until Steps do
        batch.step()
        sequences.zip(ids).foreach { (s, out) =>
          val token = s.argmax()
          out += token
          s.append(token)
        }
      assertEquals(alone, ids.map(_.result()))
    }.get
