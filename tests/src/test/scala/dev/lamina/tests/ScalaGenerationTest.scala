package dev.lamina.tests

import dev.lamina.{FinishReason, GenerationOptions, Model, SessionOptions}
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

import scala.jdk.CollectionConverters.*
import scala.util.Using

/** The public API from Scala 3: `Using.Manager` closes model, session and generation. */
class ScalaGenerationTest:
  @Test
  def greedyGenerationOnStories260KGivesTheGoldenIds(): Unit =
    val golden = TestData.golden("stories260K")
    val (ids, reason) = Using.Manager { use =>
      val model = use(Model.load(golden.model()))
      val session = use(model.newSession(SessionOptions.builder().contextLength(256).build()))
      val generation = use(session.generate("", GenerationOptions.greedy().maxTokens(golden.greedyIds().length)))
      val ids = generation.iterator().asScala.map(_.id()).toList
      (ids, generation.result().finishReason())
    }.get
    assertEquals(FinishReason.MAX_TOKENS, reason)
    assertEquals(golden.greedyIds().toList, ids)
