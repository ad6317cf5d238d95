// The SQLite Store: two-factor sign-in (secrets, the last time step used, recovery codes)
// and the challenges between a sign-in's password and its code. Sessions are in
// sqlite_store.cpp, users in sql_store_team.cpp.
#include "server/store/sql_store.h"
#include "server/store/store_errors.h"

namespace helpline::server {

std::optional<TwoFactorState> SqlStore::two_factor(UserId user) {
    return read_only([&]() -> std::optional<TwoFactorState> {
        auto stmt = db().prepare(
            "SELECT totp_secret, totp_pending_secret, totp_last_step, "
            "(SELECT COUNT(*) FROM recovery_codes WHERE user_id = users.id AND used_at IS NULL) "
            "FROM users WHERE id = ?");
        if (!stmt.bind(user).step()) return std::nullopt;
        TwoFactorState state;
        state.secret = stmt.optional_text(0);
        state.pending_secret = stmt.optional_text(1);
        state.last_step = stmt.int64(2);
        state.recovery_codes_left = static_cast<int>(stmt.int64(3));
        return state;
    });
}

Status SqlStore::set_pending_two_factor(UserId user, const std::string& secret) {
    return with_error([&]() -> Status {
        db().prepare("UPDATE users SET totp_pending_secret = ? WHERE id = ?")
            .bind(secret, user)
            .run();
        if (db().changes() == 0) return no_user(user);
        return Ok{};
    });
}

Status SqlStore::confirm_two_factor(UserId user, const std::string& secret, std::int64_t step,
                                       const std::vector<std::string>& recovery_hashes) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        db().prepare(
                "UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, "
                "totp_last_step = ? WHERE id = ? AND totp_pending_secret = ?")
            .bind(step, user, secret)
            .run();
        if (db().changes() == 0) {
            return make_error(
                store_error::kStale,
                "This two-factor setup was replaced or finished meanwhile; start it again.",
                "code");
        }
        db().prepare("DELETE FROM recovery_codes WHERE user_id = ?").bind(user).run();
        for (const auto& hash : recovery_hashes) {
            db().prepare(
                    "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?) ON CONFLICT DO "
                    "NOTHING")
                .bind(user, hash)
                .run();
        }
        // The users list shows two-factor on or off: a team change.
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

Status SqlStore::disable_two_factor(UserId user) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        db().prepare(
                "UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = "
                "0 "
                "WHERE id = ?")
            .bind(user)
            .run();
        if (db().changes() == 0) return no_user(user);
        db().prepare("DELETE FROM recovery_codes WHERE user_id = ?").bind(user).run();
        db().prepare("DELETE FROM login_challenges WHERE user_id = ?").bind(user).run();
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

Status SqlStore::use_totp_step(UserId user, std::int64_t step) {
    return with_error([&]() -> Status {
        db().prepare(
                "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_secret IS NOT NULL "
                "AND totp_last_step < ?")
            .bind(step, user, step)
            .run();
        if (db().changes() == 0) {
            return make_error(store_error::kStale,
                              "This code was used already; wait for the next one.", "code");
        }
        return Ok{};
    });
}

Status SqlStore::use_recovery_code(UserId user, const std::string& code_hash, Timestamp now) {
    return with_error([&]() -> Status {
        db().prepare(
                "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? "
                "AND used_at IS NULL")
            .bind(now, user, code_hash)
            .run();
        if (db().changes() == 0) {
            return make_error(store_error::kStale,
                              "This recovery code is not valid or was used already.",
                              "recovery_code");
        }
        return Ok{};
    });
}

Status SqlStore::add_login_challenge(const LoginChallenge& challenge, Timestamp now) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (!user_exists(challenge.user_id)) return no_user(challenge.user_id);
        db().prepare("DELETE FROM login_challenges WHERE expires_at <= ?").bind(now).run();
        db().prepare(
                "INSERT INTO login_challenges (token_hash, user_id, expires_at) VALUES (?, ?, ?)")
            .bind(challenge.token_hash, challenge.user_id, challenge.expires_at)
            .run();
        tx.commit();
        return Ok{};
    });
}

std::optional<LoginChallenge> SqlStore::login_challenge(const std::string& token_hash) {
    return read_only([&]() -> std::optional<LoginChallenge> {
        auto stmt = db().prepare(
            "SELECT token_hash, user_id, expires_at FROM login_challenges WHERE token_hash = ?");
        if (!stmt.bind(token_hash).step()) return std::nullopt;
        return LoginChallenge{stmt.text(0), stmt.int64(1), stmt.int64(2)};
    });
}

Status SqlStore::delete_login_challenge(const std::string& token_hash) {
    return with_error([&]() -> Status {
        db().prepare("DELETE FROM login_challenges WHERE token_hash = ?").bind(token_hash).run();
        return Ok{};
    });
}

}  // namespace helpline::server
