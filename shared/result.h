#pragma once
// An expected-like result: a value or an Error. The core reports failures as values;
// the GUI, the CLIs and the server decide how to show them.

#include <string>
#include <utility>
#include <variant>

namespace helpline {

/// What went wrong, for people (message) and for code (code); `where` names the file,
/// field or JSON path concerned when there is one.
struct Error {
    std::string code;     ///< stable, machine-readable: "stamp.truncated", "io.open", ...
    std::string message;  ///< a full sentence for humans, with what to do where possible
    std::string where;    ///< file path, JSON path or field; may be empty
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}       // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

/// Result of an operation with no value.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string code, std::string message, std::string where = {}) {
    return Error{std::move(code), std::move(message), std::move(where)};
}

}  // namespace helpline
