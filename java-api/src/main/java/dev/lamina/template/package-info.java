/**
 * Chat templates: Hugging Face {@code tokenizer.chat_template} texts (Jinja), rendered in pure
 * Java exactly as {@code transformers}' {@code apply_chat_template} renders them with Python's
 * jinja2 ({@code ImmutableSandboxedEnvironment}, {@code trim_blocks}, {@code lstrip_blocks},
 * {@code loopcontrols}, Hugging Face's {@code tojson}, {@code raise_exception} and
 * {@code strftime_now}).
 *
 * <p>Entry points: {@link dev.lamina.template.ChatTemplate}, {@link dev.lamina.template.ChatMessage},
 * {@link dev.lamina.template.RenderOptions}; failures are {@link dev.lamina.template.TemplateException}.
 *
 * <p>Supported: text, {@code {{ }}}, comments, {@code -}/{@code +} whitespace control, raw blocks;
 * {@code if/elif/else}, {@code for} (tuple targets, inline {@code if}, {@code else}, {@code loop.*},
 * {@code break}/{@code continue}), {@code set} (names, tuples, {@code namespace} attributes, block
 * set with filters), {@code macro}, {@code filter}, {@code with}, {@code generation}; Jinja's
 * operators and literals with Python semantics (str() output, int/float arithmetic, slicing by
 * code point, truthiness, equality); the built-in filters and tests chat templates use; the
 * string, dict and list methods ({@code strip}, {@code split}, {@code startswith}, {@code get},
 * {@code items}, ...). Mutating methods are refused as in the sandbox.
 *
 * <p>Not supported (a syntax error names them): {@code include}, {@code import},
 * {@code extends}/{@code block}, {@code call} blocks, recursive loops, {@code *args}/{@code **kwargs}
 * in calls. Known differences only in corner cases no chat template relies on: the repr of
 * methods, {@code range} and {@code dict.items()} views; {@code lipsum} and {@code cycler} are absent.
 *
 * <p>Internally: {@code Lexer} (tokens, whitespace control) → {@code Parser} ({@code Node} and
 * {@code Expr} trees, immutable) → {@code Renderer} (one per render call) using {@code Values}
 * (Python semantics), {@code Filters}, {@code JinjaTests}, {@code Methods}, {@code Globals}.
 */
package dev.lamina.template;
