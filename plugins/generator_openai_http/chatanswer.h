#pragma once
// One chat-completions answer, parsed from the shapes that vLLM, llama.cpp's
// server and Ollama's OpenAI endpoint produce:
//   {"id", "object": "chat.completion", "created", "model",
//    "choices": [{"index", "message": {"role", "content"}, "finish_reason"}],
//    "usage": {"prompt_tokens", "completion_tokens", "total_tokens"}}
// where content is a string or a list of content parts ({"type": "text",
// "text": ...}), and the error bodies they send:
//   {"error": {"message", "type", "code"}}         (OpenAI, vLLM, llama.cpp)
//   {"object": "error", "message", "type", "code"}  (older vLLM)
//   {"error": "..."}                                (Ollama's native form)

#include "core/util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace rs {

struct ChatAnswer {
    QString content;      // choices[0].message.content, text parts joined, trimmed; never empty
    QString model;        // as reported by the server (may differ from the requested name)
    QString finishReason; // "stop", "length", ... (empty when the server sent none)
    QJsonObject usage;    // token counts as sent (empty when none)
    QString responseId;   // "id" (empty when none)
    int attempts = 1;     // requests it took, retries included
    qint64 latencyMs = 0; // from the first send to the answer, backoff included

    // httpStatus: the HTTP status (0 when there was none). Errors:
    // IoError "HTTP <status>: <server message>" for non-2xx answers and for
    // error bodies; ParseError for invalid JSON, no choices, no message or
    // empty content (naming finish_reason when it explains it, e.g. "length").
    static Result<ChatAnswer> parse(int httpStatus, const QByteArray &body);

    // The message of an error body in any of the forms above; empty when the
    // body is not an error body.
    static QString serverErrorMessage(const QByteArray &body);
};

} // namespace rs
