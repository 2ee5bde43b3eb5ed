package dev.lamina.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.GenerationOptions;
import dev.lamina.ToolCallFormat;
import java.util.List;

/**
 * A validated chat or text completion request, as the scheduler runs it.
 *
 * @param chat           chat completion (true) or text completion (false): the answer's shape
 * @param prompt         the prompt's tokens (template rendered and tokenized)
 * @param maxTokens      most tokens to generate (never past the context)
 * @param sampling       the sampler chain and seed
 * @param stop           stop strings (not part of the answer)
 * @param stream         answer as server-sent events
 * @param includeUsage   with {@code stream}: a last chunk with the token counts
 * @param logprobs       whether to report each token's log probability
 * @param topLogprobs    how many alternatives per token (0..20)
 * @param responseFormat {@code response_format} as sent (null = text); see {@link RequestParser}
 * @param tools          {@code tools} as sent (null = none)
 * @param toolChoice     {@code tool_choice} as sent (null = auto)
 * @param toolFormat     how to find tool calls in the answer (null = the answer is text only)
 */
record GenerateRequest(boolean chat, int[] prompt, int maxTokens, GenerationOptions sampling, List<String> stop,
                       boolean stream, boolean includeUsage, boolean logprobs, int topLogprobs,
                       JsonNode responseFormat, JsonNode tools, JsonNode toolChoice,
                       ToolCallFormat toolFormat) {}
