"""The anthropic Python SDK through costtop's proxy, as an application uses it.

Usage: python sdk.py BASE_URL API_KEY

Makes Messages requests (JSON and streamed, tagged by default headers and per request,
cached, 1-hour, max_tokens, with a user), a Message Batch whose results it downloads twice,
and prints one JSON object: every response body byte for byte as the SDK received it (read
through a transport that copies what passes), keyed by request-id, and the batch results.
"""

import json
import sys

import anthropic
import httpx2 as httpx  # anthropic 2.x is built on httpx2

base_url, api_key = sys.argv[1], sys.argv[2]
bodies = []


class Copy(httpx.SyncByteStream):
    """The response stream as the SDK reads it, copied as it passes."""

    def __init__(self, stream, record):
        self.stream, self.record = stream, record

    def __iter__(self):
        for chunk in self.stream:
            self.record["body"] += chunk
            yield chunk

    def close(self):
        self.stream.close()


class Tee(httpx.HTTPTransport):
    def handle_request(self, request):
        response = super().handle_request(request)
        record = {"request_id": response.headers.get("request-id"), "path": request.url.path, "body": b""}
        bodies.append(record)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=Copy(response.stream, record),
            extensions=response.extensions,
        )


client = anthropic.Anthropic(
    base_url=base_url,
    api_key=api_key,
    max_retries=0,
    http_client=httpx.Client(transport=Tee()),
)
chat = client.with_options(default_headers={"costtop-tag-feature": "chat", "mock-tag": "chat"})
messages = [{"role": "user", "content": "Hello through the proxy."}]
system = [{"type": "text", "text": "You are terse. " * 40, "cache_control": {"type": "ephemeral"}}]

# chat: JSON and streamed, with a cached system prompt.
m = chat.messages.create(model="claude-sonnet-5-5", max_tokens=1024, system=system, messages=messages)
assert m.usage.input_tokens > 0
with chat.messages.stream(model="claude-sonnet-5-5", max_tokens=1024, system=system, messages=messages) as s:
    final = s.get_final_message()
assert final.usage.output_tokens > 1
for event in chat.messages.create(model="claude-sonnet-5-5", max_tokens=1024, messages=messages, stream=True):
    pass

# classify: tagged per request, cut at max_tokens.
tags = {"costtop-tag-feature": "classify", "mock-tag": "classify"}
m = client.messages.create(model="claude-haiku-5-5", max_tokens=12, messages=messages, extra_headers=tags)
assert m.stop_reason == "max_tokens", m.stop_reason

# agent: 1-hour cache writes, a user.
agent = client.with_options(default_headers={"costtop-tag-feature": "agent", "mock-tag": "agent"})
one_hour = [{"type": "text", "text": "Plan carefully. " * 40, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
for stream in (False, True):
    r = agent.messages.create(
        model="claude-opus-5-5", max_tokens=2048, system=one_hour, messages=messages,
        metadata={"user_id": "user-42"}, stream=stream,
    )
    if stream:
        for event in r:
            pass

# nightly: a batch, its results downloaded twice.
nightly = client.with_options(default_headers={"costtop-tag-feature": "nightly", "mock-tag": "nightly"})
batch = nightly.messages.batches.create(requests=[
    {"custom_id": "n-1", "params": {"model": "claude-haiku-5-5", "max_tokens": 1024, "messages": messages,
                                    "metadata": {"user_id": "user-7"}}},
    {"custom_id": "n-2", "params": {"model": "claude-sonnet-5-5", "max_tokens": 10, "messages": messages}},
])
downloads = []
for _ in range(2):
    downloads.append([r.custom_id for r in nightly.messages.batches.results(batch.id)])

print(json.dumps({
    "bodies": [dict(b, body=b["body"].decode("utf-8")) for b in bodies],
    "downloads": downloads,
}))
