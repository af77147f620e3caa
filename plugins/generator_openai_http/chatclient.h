#pragma once
// ChatClient: sends a batch of chat-completions requests concurrently and
// waits for all of them.
//
// run() is synchronous and may be called from any thread, with or without a
// running event loop (the stage's worker threads have none): it creates a
// private QNetworkAccessManager set and runs a local QEventLoop on the calling
// thread until every item has an answer or an error. Qt opens at most six
// connections per host and manager, so limits above six use several managers.
//
// Per item: a timeout per attempt (timeout_ms, sending to the last byte);
// retries on 429, 5xx and dropped connections with exponential backoff and
// jitter, honouring Retry-After (seconds or an HTTP date), capped at
// max_backoff_ms; an item keeps its concurrency slot while it waits, so a
// rate-limited server is not hit harder. ctx.isCanceled() is polled every
// 20 ms: pending requests are aborted and every unfinished item gets a
// Canceled error.
//
// The API key is read from the environment variable named by api_key_env at
// the start of each run(), sent as "Authorization: Bearer", and scrubbed
// ("[redacted]") from every string this class returns (errors, content,
// model, usage), in case a server echoes it; keys shorter than 6 characters
// are not scrubbed (replacing them would mangle ordinary text). Redirects are
// followed only within the endpoint's origin (scheme, host, port); one to
// another origin is not followed and fails the item, so the key, which Qt
// would copy to the new request, never leaves for another server.
//
// Thread-safety: a ChatClient is immutable; concurrent run() calls from
// different threads are fine.

#include "plugins/generator_openai_http/chatanswer.h"
#include "plugins/generator_openai_http/openaioptions.h"

#include "core/util/jobcontext.h"

#include <QJsonObject>
#include <QVector>

namespace rs {

class ChatClient {
public:
    explicit ChatClient(OpenAiOptions options) : m_options(std::move(options)) {}

    const OpenAiOptions &options() const { return m_options; }

    // bodies: chat-completions request objects (model, messages, ...), sent
    // as is. Returns one result per body, in input order. Errors carry the
    // item's index as context ("item 3").
    QVector<Result<ChatAnswer>> run(const QVector<QJsonObject> &bodies, JobContext &ctx) const;

private:
    OpenAiOptions m_options;
};

} // namespace rs
