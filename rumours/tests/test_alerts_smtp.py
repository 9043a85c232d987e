"""Alert emails through a real SMTP server on 127.0.0.1 (aiosmtpd), read back as received."""

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from portal.celery import app
from rumours import tasks
from rumours.models import Notification, RumourEvent, User

from .factories import NotificationFactory, RumourEventFactory, UserFactory

pytestmark = pytest.mark.django_db


class Mailbox:
    """An SMTP handler that keeps what it accepts; it can refuse the first few messages."""

    def __init__(self, refuse_first: int = 0):
        self.refuse_first = refuse_first
        self.attempts = 0
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.refuse_first:
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Start a real SMTP server and point Django's SMTP backend at it; yield start(handler)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.BENCHWATCH_SITE_URL = "https://benchwatch.example/"
    controllers = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=settings.EMAIL_PORT)
        controller.start()
        controllers.append(controller)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(autouse=True)
def errors_kept_in_results(in_process_tasks):
    """Leave a task's error in its result, so that its retries run as on a worker."""
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


def deliver(user):
    """Run the delivery task in-process, retries included, as a worker would."""
    return tasks.deliver_alert_emails.apply(([user.pk],))


def fan_with_waiting_alert(kind=RumourEvent.Kind.APPOINTED):
    user = UserFactory(email_alerts=User.EmailAlerts.INSTANT)
    notification = NotificationFactory(
        user=user, channel=Notification.Channel.EMAIL, event=RumourEventFactory(kind=kind)
    )
    return user, notification


def test_an_alert_email_arrives_with_both_parts_and_its_headers(smtp):
    mailbox = smtp(Mailbox())
    user, notification = fan_with_waiting_alert()
    assert deliver(user).get() == 1
    (message,) = mailbox.messages
    rumour = notification.event.rumour
    assert message["To"] == user.email
    assert message["Subject"] == (
        f"Confirmed: {rumour.coach.full_name} appointed by {rumour.club.short_name}"
    )
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<https://benchwatch.example/alerts/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith(f"<alerts.{user.pk}.")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    board = f"https://benchwatch.example{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}"
    assert board in text and board in html
    notification.refresh_from_db()
    assert notification.sent_at is not None


def test_a_refused_send_is_retried_and_arrives_once(smtp, django_capture_on_commit_callbacks):
    mailbox = smtp(Mailbox(refuse_first=2))
    user, notification = fan_with_waiting_alert()
    result = deliver(user)
    assert result.successful() and result.get() == 1
    assert mailbox.attempts == 3
    assert len(mailbox.messages) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        tasks.deliver_waiting_alerts.delay()
    assert len(mailbox.messages) == 1


def test_a_mail_server_that_is_down_loses_nothing_and_sends_once_when_back(
    smtp, django_capture_on_commit_callbacks
):
    user, notification = fan_with_waiting_alert()
    result = deliver(user)
    assert result.failed() and isinstance(result.result, OSError)
    notification.refresh_from_db()
    assert notification.sent_at is None and notification.claim == ""
    mailbox = smtp(Mailbox())
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.deliver_waiting_alerts.delay()
    assert len(mailbox.messages) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
