//! The status changes the order service makes, each checked against the order life the
//! shared [`OrderStatus`] allows. Their SQL binds the statuses (sqlx encodes them) rather
//! than spelling them.

use app::domain::OrderStatus::{self, *};

/// One kind of status change: from any of `from` to `to`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Move {
    pub from: &'static [OrderStatus],
    pub to: OrderStatus,
}

/// The worker takes the order (again, if a job is delivered twice).
pub(super) const START: Move = Move { from: &[Queued, InProgress], to: InProgress };
/// The picture is stored.
pub(super) const FINISH: Move = Move { from: &[Queued, InProgress], to: Done };
/// The picture cannot be drawn.
pub(super) const FAIL_DRAWING: Move = Move { from: &[Queued, InProgress], to: Failed };
/// The payment failed, the checkout expired or could not be opened.
pub(super) const FAIL_PAYMENT: Move = Move { from: &[AwaitingPayment], to: Failed };
/// The payment arrived.
pub(super) const PAY: Move = Move { from: &[AwaitingPayment], to: Queued };
/// An admin queues a failed, unpaid order again.
pub(super) const RETRY: Move = Move { from: &[Failed], to: Queued };
/// A failed or cancelled paid order's money went back, or a done one's that an admin
/// refunded.
pub(super) const REFUND: Move = Move { from: &[Failed, Cancelled, Done], to: Refunded };
/// The owner opens a new checkout for an unpaid order whose checkout expired or failed.
pub(super) const PAY_AGAIN: Move = Move { from: &[Failed], to: AwaitingPayment };
/// The owner cancels an order waiting for payment.
pub(super) const CANCEL: Move = Move { from: &[AwaitingPayment], to: Cancelled };

/// Orders the worker has yet to finish.
pub(super) const UNFINISHED: [OrderStatus; 2] = [Queued, InProgress];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_the_service_makes_is_one_the_order_life_allows() {
        for change in [START, FINISH, FAIL_DRAWING, FAIL_PAYMENT, PAY, RETRY, REFUND, CANCEL, PAY_AGAIN] {
            for from in change.from {
                assert!(from.may_become(change.to), "{from} may not become {}", change.to);
            }
        }
        assert_eq!(UNFINISHED, START.from);
    }
}
