// The @anthropic-ai/sdk TypeScript SDK through costtop's proxy, as an application uses it.
//
// Usage: node sdk.cjs SDK_DIR BASE_URL API_KEY
//
// The same requests as sdk.py (JSON and streamed, tagged by default headers and per request,
// max_tokens, 1-hour, a user, a batch downloaded twice); prints every response body byte for
// byte as the SDK received it (a fetch that copies each response), and the batch results.

const path = require('node:path');
const { createRequire } = require('node:module');

const [sdkDir, baseURL, apiKey] = process.argv.slice(2);
const sdk = createRequire(path.join(sdkDir, 'package.json'))('@anthropic-ai/sdk');
const Anthropic = sdk.default ?? sdk.Anthropic ?? sdk;

const bodies = [];
async function copyingFetch(url, init) {
  const response = await fetch(url, init);
  const copy = response.clone();
  bodies.push(copy.text().then((body) => ({
    request_id: response.headers.get('request-id'),
    path: new URL(String(url)).pathname,
    body,
  })));
  return response;
}

async function main() {
  const client = new Anthropic({ baseURL, apiKey, maxRetries: 0, fetch: copyingFetch });
  const chat = client.withOptions({ defaultHeaders: { 'costtop-tag-feature': 'chat', 'mock-tag': 'chat' } });
  const messages = [{ role: 'user', content: 'Hello through the proxy.' }];
  const system = [{ type: 'text', text: 'You are terse. '.repeat(40), cache_control: { type: 'ephemeral' } }];

  const m = await chat.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 1024, system, messages });
  if (!(m.usage.input_tokens > 0)) throw new Error('no usage');
  const final = await chat.messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 1024, system, messages }).finalMessage();
  if (!(final.usage.output_tokens > 1)) throw new Error('no final usage');
  for await (const event of await chat.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 1024, messages, stream: true })) {
    void event;
  }

  const cut = await client.messages.create(
    { model: 'claude-haiku-5-5', max_tokens: 12, messages },
    { headers: { 'costtop-tag-feature': 'classify', 'mock-tag': 'classify' } },
  );
  if (cut.stop_reason !== 'max_tokens') throw new Error(`stop ${cut.stop_reason}`);

  const agent = client.withOptions({ defaultHeaders: { 'costtop-tag-feature': 'agent', 'mock-tag': 'agent' } });
  const oneHour = [{ type: 'text', text: 'Plan carefully. '.repeat(40), cache_control: { type: 'ephemeral', ttl: '1h' } }];
  for (const stream of [false, true]) {
    const r = await agent.messages.create({
      model: 'claude-opus-5-5', max_tokens: 2048, system: oneHour, messages,
      metadata: { user_id: 'user-42' }, stream,
    });
    if (stream) for await (const event of r) void event;
  }

  const nightly = client.withOptions({ defaultHeaders: { 'costtop-tag-feature': 'nightly', 'mock-tag': 'nightly' } });
  const batch = await nightly.messages.batches.create({
    requests: [
      { custom_id: 'n-1', params: { model: 'claude-haiku-5-5', max_tokens: 1024, messages, metadata: { user_id: 'user-7' } } },
      { custom_id: 'n-2', params: { model: 'claude-sonnet-5-5', max_tokens: 10, messages } },
    ],
  });
  const downloads = [];
  for (let i = 0; i < 2; i++) {
    const ids = [];
    for await (const result of await nightly.messages.batches.results(batch.id)) ids.push(result.custom_id);
    downloads.push(ids);
  }
  console.log(JSON.stringify({ bodies: await Promise.all(bodies), downloads }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
