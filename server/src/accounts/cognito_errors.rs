//! Cognito's errors as the user reads them: each names its field where it has one; the
//! cause is logged, never shown.

use app::error::AppError;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

/// Which call failed, for the message the user gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    SignUp,
    Confirm,
    Resend,
    SignIn,
    Forgot,
    Reset,
    Refresh,
    SignOut,
    /// The account page: the current password was checked.
    ChangePassword,
    ChangeEmail,
    ConfirmEmail,
    DeleteAccount,
}

/// A Cognito error as the user should read it. The cause is logged.
pub(super) fn cognito_error<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    call: Call,
    error: &SdkError<E, R>,
) -> AppError {
    let (code, message) = match error.as_service_error() {
        Some(service) => (service.code(), service.message()),
        None => (None, None),
    };
    let mapped = app_error(call, code, message);
    if matches!(mapped, AppError::Internal | AppError::Unavailable { .. }) {
        tracing::error!(?call, error = %aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(error), "Cognito call failed");
    } else {
        tracing::info!(?call, code, "Cognito refused");
    }
    mapped
}

/// Maps Cognito's error code (and message) for `call` to what the user is told.
pub fn app_error(call: Call, code: Option<&str>, message: Option<&str>) -> AppError {
    let message = message.unwrap_or_default();
    match code.unwrap_or_default() {
        "UsernameExistsException" | "AliasExistsException" => AppError::Conflict {
            field: "email".into(),
            message: "an account with this e-mail already exists: sign in instead".into(),
        },
        "InvalidPasswordException" => AppError::validation("password", password_message(message)),
        "CodeMismatchException" => {
            AppError::validation("code", "this code is not the one we sent: check the mail")
        }
        "ExpiredCodeException" => AppError::validation("code", "this code has expired: ask for a new one"),
        // Told like a wrong password: whoever signed up with someone else's address learns
        // nothing from signing in with it (the message says to confirm first).
        "UserNotConfirmedException" if call == Call::SignIn => AppError::InvalidCredentials,
        "UserNotConfirmedException" => AppError::Forbidden {
            message: "confirm your e-mail address first: open the link we mailed you".into(),
        },
        "NotAuthorizedException" if call == Call::Confirm => AppError::Conflict {
            field: "code".into(),
            message: "this account is confirmed already: sign in".into(),
        },
        "NotAuthorizedException" if call == Call::ChangePassword => {
            AppError::validation("current_password", "the password is wrong")
        }
        "NotAuthorizedException" if call == Call::DeleteAccount => {
            AppError::validation("password", "the password is wrong")
        }
        "NotAuthorizedException" => AppError::InvalidCredentials,
        "UserNotFoundException" if call == Call::SignIn => AppError::InvalidCredentials,
        "UserNotFoundException" => AppError::NotFound,
        "InvalidParameterException" if matches!(call, Call::SignUp | Call::SignIn) => {
            AppError::validation("email", "enter an e-mail address like name@example.com")
        }
        "TooManyRequestsException" | "LimitExceededException" | "TooManyFailedAttemptsException" => {
            AppError::too_many_attempts(60)
        }
        "" => AppError::Unavailable {
            message: "the sign-in service cannot be reached; try again in a moment".into(),
        },
        _ => AppError::Internal,
    }
}

/// Cognito's password policy message, made readable ("Password did not conform with
/// policy: Password must have uppercase characters" → "the password must have uppercase
/// characters").
fn password_message(message: &str) -> String {
    let detail = message.rsplit(':').next().map(str::trim).unwrap_or_default();
    if detail.is_empty() {
        "this password does not meet the account rules".into()
    } else {
        let detail = detail.strip_prefix("Password ").unwrap_or(detail);
        format!("the password {}", detail.trim_end_matches('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(call: Call, code: &str) -> AppError {
        app_error(call, Some(code), Some("Cognito's own words"))
    }

    #[test]
    fn wrong_and_expired_codes_name_the_code_field() {
        for call in [Call::Confirm, Call::Reset] {
            let AppError::Validation { field, message } = mapped(call, "CodeMismatchException") else {
                panic!("a wrong code is a validation error")
            };
            assert_eq!((field.as_str(), message.contains("not the one we sent")), ("code", true));
            let AppError::Validation { field, message } = mapped(call, "ExpiredCodeException") else {
                panic!("an expired code is a validation error")
            };
            assert_eq!((field.as_str(), message.contains("ask for a new one")), ("code", true));
        }
    }

    #[test]
    fn throttling_answers_too_many_requests() {
        for code in ["TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"] {
            assert_eq!(mapped(Call::SignIn, code), AppError::too_many_attempts(60), "{code}");
        }
    }

    #[test]
    fn sign_in_failures_do_not_tell_whether_the_account_exists() {
        assert_eq!(mapped(Call::SignIn, "NotAuthorizedException"), AppError::InvalidCredentials);
        assert_eq!(mapped(Call::SignIn, "UserNotFoundException"), AppError::InvalidCredentials);
    }

    #[test]
    fn an_unconfirmed_account_is_answered_like_a_wrong_password() {
        assert_eq!(mapped(Call::SignIn, "UserNotConfirmedException"), AppError::InvalidCredentials);
        assert!(AppError::InvalidCredentials.to_string().contains("not confirmed yet"));
    }

    #[test]
    fn a_taken_email_and_a_weak_password_name_their_fields() {
        assert!(
            matches!(mapped(Call::SignUp, "UsernameExistsException"), AppError::Conflict { field, .. } if field == "email")
        );
        let weak = app_error(
            Call::SignUp,
            Some("InvalidPasswordException"),
            Some("Password did not conform with policy: Password must have uppercase characters"),
        );
        assert_eq!(weak, AppError::validation("password", "the password must have uppercase characters"));
    }

    #[test]
    fn unknown_codes_are_internal_and_no_answer_is_unavailable() {
        assert_eq!(mapped(Call::SignUp, "InternalErrorException"), AppError::Internal);
        assert!(matches!(app_error(Call::SignIn, None, None), AppError::Unavailable { .. }));
    }
}
