// Drives the official openai npm SDK against the running service: model
// discovery, a plain and a streamed answer, a follow-up, and errors.
// Prints one JSON object for the Go test to check.
const sdk = require(process.env.OPENAI_SDK);
const OpenAI = sdk.OpenAI || sdk.default || sdk;
const client = new OpenAI({ baseURL: process.env.RAG_BASE + "/v1", apiKey: "sk-placeholder", maxRetries: 0 });
const question = { role: "user", content: "Who is Iran's ambassador to Russia?" };

async function failure(call) {
  try {
    await call();
    return null;
  } catch (e) {
    return { status: e.status, type: e.type || (e.error && e.error.type), param: e.param || (e.error && e.error.param), code: e.code, message: e.message };
  }
}

(async () => {
  const out = {};
  out.models = (await client.models.list()).data.map((m) => m.id);
  out.model = (await client.models.retrieve("rag")).id;

  const plain = await client.chat.completions.create({ model: "rag", messages: [question] });
  out.content = plain.choices[0].message.content;
  out.model_reply = plain.model;
  out.citations = plain.citations;
  out.usage = plain.usage;

  const start = Date.now();
  let first = 0;
  let streamed = "";
  let firstCitations = null;
  const stream = await client.chat.completions.create({ model: "rag", stream: true, stream_options: { include_usage: true }, messages: [question] });
  for await (const chunk of stream) {
    if (firstCitations === null) firstCitations = chunk.citations || [];
    const delta = chunk.choices.length ? chunk.choices[0].delta.content : "";
    if (delta && !first) first = Date.now() - start;
    streamed += delta || "";
    if (chunk.usage) out.stream_usage = chunk.usage;
  }
  out.first_ms = first;
  out.total_ms = Date.now() - start;
  out.streamed = streamed;
  out.first_citations = firstCitations;

  const follow = await client.chat.completions.create({
    model: "rag",
    messages: [question, { role: "assistant", content: out.content }, { role: "user", content: "and what did he say the meeting centered on?" }],
  });
  out.followup = follow.choices[0].message.content;

  out.err_n = await failure(() => client.chat.completions.create({ model: "rag", n: 2, messages: [question] }));
  out.err_tools = await failure(() => client.chat.completions.create({ model: "rag", tools: [{ type: "function", function: { name: "f", parameters: {} } }], messages: [question] }));
  out.err_role = await failure(() => client.chat.completions.create({ model: "rag", messages: [{ role: "tool", content: "x", tool_call_id: "1" }, question] }));
  out.err_model = await failure(() => client.models.retrieve("gpt-4"));
  out.err_empty = await failure(() => client.chat.completions.create({ model: "rag", messages: [{ role: "user", content: "   " }] }));
  console.log(JSON.stringify(out));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
