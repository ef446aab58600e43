//! A real SMTP server for the tests: aiosmtpd (PyPI), storing what it receives in a maildir.

use mail_parser::MessageParser;
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// aiosmtpd (PyPI) on a free port, storing what it receives in a maildir.
pub struct SmtpSink {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_on(
            std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port(),
        )
    }

    /// On `port` (e.g. where a refused mail server was).
    pub fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("maildir");
        // aiosmtpd creates the maildir (an existing empty directory lacks its cur/new/tmp).
        let maildir = dir.path().join("maildir");
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("aiosmtpd runs (the test command installs it: pip install aiosmtpd)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, maildir, _dir: dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Vec<u8>> {
        let new = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&new) else { return Vec::new() };
        entries.filter_map(|entry| std::fs::read(entry.ok()?.path()).ok()).collect()
    }

    /// How many received messages have the subject `subject`.
    pub fn count(&self, subject: &str) -> usize {
        self.messages()
            .iter()
            .filter(|raw| MessageParser::default().parse(raw).is_some_and(|m| m.subject() == Some(subject)))
            .count()
    }

    /// Waits for a message whose subject is `subject`.
    pub async fn wait_for(&self, subject: &str) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.messages().into_iter().find(|raw| {
                MessageParser::default().parse(raw).is_some_and(|m| m.subject() == Some(subject))
            });
            if let Some(raw) = found {
                return raw;
            }
            assert!(Instant::now() < deadline, "no mail {subject:?} reached the SMTP server within 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
