package dev.lamina.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.ChatReply;
import dev.lamina.Tokenizer;
import dev.lamina.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON of OpenAI's answers: chat completions and their stream chunks, text completions and
 * theirs, usage, logprobs and errors. One place, so streamed and whole answers agree.
 */
final class Responses {
    private final ObjectMapper json;
    private final Tokenizer tokenizer;
    private final String modelId;

    Responses(ObjectMapper json, Tokenizer tokenizer, String modelId) {
        this.json = json;
        this.tokenizer = tokenizer;
        this.modelId = modelId;
    }

    static ObjectNode error(ObjectMapper json, ApiError e) {
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        if (e.param() == null) {
            err.putNull("param");
        } else {
            err.put("param", e.param());
        }
        if (e.code() == null) {
            err.putNull("code");
        } else {
            err.put("code", e.code());
        }
        return root;
    }

    /** A whole answer: text, finish reason, usage and (if asked) logprobs. */
    ObjectNode complete(GenerateRequest r, String id, long created, String text, Job.Done done, List<TokenLogprob> logprobs) {
        ObjectNode root = head(r.chat() ? "chat.completion" : "text_completion", id, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        String finish = done.finishReason();
        if (r.chat()) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            ChatReply reply = toolReply(r, text);
            if (reply != null && reply.hasToolCalls()) {
                putContent(message, reply.content());
                putToolCalls(message, reply, false);
                finish = "tool_calls";
            } else {
                message.put("content", text);
            }
            message.putNull("refusal");
        } else {
            choice.put("text", text);
        }
        putLogprobs(choice, r, logprobs);
        choice.put("finish_reason", finish);
        root.set("usage", usage(done));
        return root;
    }

    /** A stream chunk with a piece of text (or the role, first), optional finish reason. */
    ObjectNode chunk(GenerateRequest r, String id, long created, String text, boolean first, String finishReason,
                     List<TokenLogprob> logprobs) {
        ObjectNode root = head(r.chat() ? "chat.completion.chunk" : "text_completion", id, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (r.chat()) {
            ObjectNode delta = choice.putObject("delta");
            if (first) {
                delta.put("role", "assistant");
            }
            if (text != null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text == null ? "" : text);
        }
        if (logprobs != null && !logprobs.isEmpty()) {
            putLogprobs(choice, r, logprobs);
        } else {
            choice.putNull("logprobs");
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return root;
    }

    /**
     * The answer of a tools request: its text split into content and calls (null when the request
     * had no tools to call). Streams of such requests hold the text back until this split.
     */
    static ChatReply toolReply(GenerateRequest r, String text) {
        return r.toolFormat() == null ? null : r.toolFormat().parse(text);
    }

    /** The one content/tool-call chunk a tools stream sends at its end, and its finish reason. */
    ObjectNode toolReplyChunk(GenerateRequest r, String id, long created, ChatReply reply, String finishReason) {
        ObjectNode root = head("chat.completion.chunk", id, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (!reply.content().isEmpty()) {
            delta.put("content", reply.content());
        }
        if (reply.hasToolCalls()) {
            putToolCalls(delta, reply, true);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", reply.hasToolCalls() ? "tool_calls" : finishReason);
        return root;
    }

    private static void putContent(ObjectNode message, String content) {
        if (content.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", content);
        }
    }

    private static void putToolCalls(ObjectNode target, ChatReply reply, boolean indexed) {
        ArrayNode calls = target.putArray("tool_calls");
        for (int i = 0; i < reply.toolCalls().size(); i++) {
            ToolCall c = reply.toolCalls().get(i);
            ObjectNode call = calls.addObject();
            if (indexed) {
                call.put("index", i);
            }
            call.put("id", c.id());
            call.put("type", "function");
            ObjectNode fn = call.putObject("function");
            fn.put("name", c.name());
            fn.put("arguments", c.argumentsJson());
        }
    }

    /** The last chunk of a stream with {@code include_usage}: no choices, the token counts. */
    ObjectNode usageChunk(GenerateRequest r, String id, long created, Job.Done done) {
        ObjectNode root = head(r.chat() ? "chat.completion.chunk" : "text_completion", id, created);
        root.putArray("choices");
        root.set("usage", usage(done));
        return root;
    }

    private ObjectNode head(String object, String id, long created) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", modelId);
        root.put("system_fingerprint", "lamina");
        return root;
    }

    private ObjectNode usage(Job.Done done) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", done.promptTokens());
        u.put("completion_tokens", done.completionTokens());
        u.put("total_tokens", done.promptTokens() + done.completionTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", done.cachedTokens());
        return u;
    }

    private void putLogprobs(ObjectNode choice, GenerateRequest r, List<TokenLogprob> logprobs) {
        if (!r.logprobs() || logprobs == null) {
            choice.putNull("logprobs");
            return;
        }
        if (r.chat()) {
            ArrayNode content = choice.putObject("logprobs").putArray("content");
            for (TokenLogprob lp : logprobs) {
                ObjectNode t = content.addObject();
                chatToken(t, lp.token(), lp.logprob());
                ArrayNode top = t.putArray("top_logprobs");
                for (int i = 0; i < lp.topIds().length; i++) {
                    chatToken(top.addObject(), lp.topIds()[i], lp.topLogprob()[i]);
                }
            }
        } else {
            ObjectNode o = choice.putObject("logprobs");
            ArrayNode tokens = o.putArray("tokens");
            ArrayNode values = o.putArray("token_logprobs");
            ArrayNode tops = o.putArray("top_logprobs");
            o.putArray("text_offset");
            for (TokenLogprob lp : logprobs) {
                tokens.add(piece(lp.token()));
                values.add(lp.logprob());
                ObjectNode top = tops.addObject();
                for (int i = 0; i < lp.topIds().length; i++) {
                    top.put(piece(lp.topIds()[i]), lp.topLogprob()[i]);
                }
            }
        }
    }

    private void chatToken(ObjectNode t, int id, double logprob) {
        byte[] bytes = tokenizer.decodePiece(id);
        t.put("token", new String(bytes, StandardCharsets.UTF_8));
        t.put("logprob", logprob);
        ArrayNode b = t.putArray("bytes");
        for (byte x : bytes) {
            b.add(x & 0xff);
        }
    }

    private String piece(int id) {
        return new String(tokenizer.decodePiece(id), StandardCharsets.UTF_8);
    }
}
