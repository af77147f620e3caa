#pragma once
// Value-or-error return type of the public core API.
//
// Public functions that can fail on user input or I/O return Result<T>
// instead of throwing; exceptions stay inside algorithms and are caught at
// the job boundary. Cheap to move; the error is a small value type.

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace rs {

enum class ErrorCode {
    InvalidArgument, // the caller passed something unusable (bad setting value, unknown key)
    NotFound,        // a file, project, item or stage that does not exist
    IoError,         // reading or writing failed
    ParseError,      // malformed input data
    Unsupported,     // a valid request this build cannot serve
    Canceled,        // the user interrupted a job
    Conflict,        // e.g. the project is locked by another process
    Internal,        // a bug or a library failure caught at a boundary
};

struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message; // one line, meant for a person
    QString context; // where: a path, an item id, a setting key (may be empty)

    QString toString() const
    {
        return context.isEmpty() ? message : context + QStringLiteral(": ") + message;
    }
};

inline Error makeError(ErrorCode code, QString message, QString context = {})
{
    return Error{code, std::move(message), std::move(context)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_data(std::move(value)) {}
    Result(Error error) : m_data(std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace rs
