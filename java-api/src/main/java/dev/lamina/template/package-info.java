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
 * {@code break}/{@code continue}, {@code recursive} with {@code loop(items)}), {@code set} (names,
 * tuples, {@code namespace} attributes, block set with filters), {@code macro}, {@code call} blocks
 * with {@code caller()}, {@code filter}, {@code with}, {@code generation}; Jinja's
 * operators and literals with Python semantics (str() output, int/float arithmetic, slicing by
 * code point, truthiness, equality); the built-in filters and tests chat templates use; the
 * string, dict and list methods ({@code strip}, {@code split}, {@code startswith}, {@code get},
 * {@code items}, {@code format} with format specs, ...). Mutating methods are refused as in the
 * sandbox. As in jinja2, an unknown filter or test inside an {@code if} fails only when it runs.
 *
 * <p>A template is untrusted code from the model file: every render runs under
 * {@link dev.lamina.template.TemplateLimits} (operations, output, value size, depth).
 *
 * <p>Not supported: {@code include}, {@code import}, {@code from}, {@code extends} (they parse and
 * fail when run, as jinja2 without a loader does), {@code block}, {@code *args}/{@code **kwargs}
 * in calls. {@code map}/{@code select} results are generators as in jinja2 (truthy, one pass, no
 * length), though computed eagerly, so an error in one shows before it is consumed. Markup from
 * {@code |safe}/{@code |escape} escapes what {@code +}, {@code %} and {@code format} add to it, but
 * its string methods and slices return plain strings (jinja2 keeps them markup). Known differences only in corner cases no chat template relies on: the
 * repr of methods, {@code range} and {@code dict.items()} views; {@code lipsum} and
 * {@code cycler} are absent.
 *
 * <p>Internally: {@code Lexer} (tokens, whitespace control) → {@code Parser} ({@code Node} and
 * {@code Expr} trees, immutable) → {@code Renderer} (one per render call) using {@code Values}
 * (Python semantics), {@code Filters} (with {@code SequenceFilters}, {@code TextFilters}),
 * {@code JinjaTests}, {@code Methods}, {@code Globals}, {@code FormatSpec}; {@code UnknownNames}
 * is jinja2's compile-time name check; {@code RenderBudget} counts a render against its limits;
 * {@code MarkupStrings} remembers which strings are markup.
 */
package dev.lamina.template;
