package dev.lamina.tests.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.lamina.tests.TestData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI module against the server: chat, streaming chat, embeddings. */
class ServerLangChain4jTest {
    static final String KEY = "lc4j-key";
    static ServerHarness h;

    @BeforeAll
    static void start() {
        h = new ServerHarness(ServerHarness.config(TestData.model(ServerHarness.MODEL), 2, 256).withApiKey(KEY));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void chatAndStreamingAgree() throws Exception {
        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(h.base + "/v1").apiKey(KEY)
                .modelName(ServerHarness.MODEL).temperature(0.0).maxTokens(12).build();
        ChatResponse whole = chat.chat(dev.langchain4j.data.message.UserMessage.from("Say something."));
        String text = whole.aiMessage().text();
        assertFalse(text == null || text.isEmpty());
        assertEquals(12, whole.tokenUsage().outputTokenCount());

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(h.base + "/v1").apiKey(KEY)
                .modelName(ServerHarness.MODEL).temperature(0.0).maxTokens(12).build();
        StringBuilder parts = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Say something.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                parts.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse end = done.get(60, TimeUnit.SECONDS);
        assertEquals(text, parts.toString(), "streamed parts equal the whole answer");
        assertEquals(text, end.aiMessage().text());
    }

    @Test
    void embeddings() {
        OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(h.base + "/v1").apiKey(KEY)
                .modelName(ServerHarness.MODEL).build();
        Embedding e = model.embed("a text to embed").content();
        double norm = 0;
        for (float x : e.vector()) {
            norm += x * x;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-3);
        assertEquals(h.get("/v1/models").status(), 200);
    }
}
