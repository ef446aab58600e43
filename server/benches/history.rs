//! One customer's order history at scale: 100,000 orders of one user, then the first page,
//! a later page (by cursor), a status filter and searches, each asked 200 times; p50 and
//! p99 of the query the API runs (`orders::history::find`, the same function the REST
//! handler and the page reach).
//!
//! ```text
//! cargo bench -p server --bench history [-- --orders 100000] [--database-url postgres://...]
//! ```
//!
//! Without `--database-url` it runs on a new SQLite file. Results: BENCHMARKS.md.

use app::domain::{OrderFilter, OrderQuery};
use server::{orders::history::find, platform::db};
use std::time::{Duration, Instant};

const USER: &str = "history-bench-user";
const COLOURS: [&str; 12] = [
    "tomato",
    "#3366cc",
    "rebeccapurple",
    "gold",
    "teal",
    "hsl(120 50% 40%)",
    "navy",
    "plum",
    "#ff6347",
    "seagreen",
    "orange",
    "indigo",
];
const SHAPES: [&str; 5] = ["square", "circle", "hypnotic_squares", "tiled_lines", "voronoi"];
const STATUSES: [&str; 4] = ["done", "done", "done", "failed"];

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() -> anyhow::Result<()> {
    let orders: usize = arg("--orders").and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let url =
        arg("--database-url").unwrap_or_else(|| format!("sqlite://{}/history.db", dir.path().display()));
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async {
        let pool = db::connect(&url).await?;
        db::migrate(&pool).await?;
        let started = Instant::now();
        fill(&pool, orders).await?;
        println!(
            "{orders} orders of one user stored in {:.1} s ({})",
            started.elapsed().as_secs_f64(),
            engine(&url)
        );

        let first = find(&pool, USER, &OrderFilter::default()).await?;
        let cursor = first.next_cursor.clone().unwrap_or_default();
        let later = OrderQuery { cursor: Some(cursor), ..OrderQuery::default() };
        let cases: [(&str, OrderQuery); 7] = [
            ("first page (20)", OrderQuery::default()),
            ("next page by cursor", later),
            ("status=failed", query(|q| q.status = Some("failed".into()))),
            ("q=tomato (a colour name: 1 in 6 match)", query(|q| q.q = Some("tomato".into()))),
            ("q=birthday (a note word: 1 in 100 match)", query(|q| q.q = Some("birthday".into()))),
            (
                "q=voronoi&status=failed",
                query(|q| {
                    q.q = Some("voronoi".into());
                    q.status = Some("failed".into());
                }),
            ),
            ("q=nothing-matches (reads every order)", query(|q| q.q = Some("zebra crossing".into()))),
        ];
        println!("{:<44} {:>9} {:>9} {:>6}", "query", "p50 ms", "p99 ms", "rows");
        for (name, query) in cases {
            let filter = query.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut times = Vec::with_capacity(200);
            let mut rows = 0;
            for _ in 0..200 {
                let started = Instant::now();
                rows = find(&pool, USER, &filter).await?.orders.len();
                times.push(started.elapsed());
            }
            times.sort();
            println!("{name:<44} {:>9.2} {:>9.2} {rows:>6}", ms(times[100]), ms(times[197]));
        }
        anyhow::Ok(())
    })
}

fn query(set: impl FnOnce(&mut OrderQuery)) -> OrderQuery {
    let mut query = OrderQuery::default();
    set(&mut query);
    query
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn engine(url: &str) -> &'static str {
    if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" }
}

/// Stores `count` orders of one user, in statements of 500 rows.
async fn fill(pool: &db::Pool, count: usize) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM users WHERE id = $1").bind(USER).execute(pool).await?;
    sqlx::query("INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, 'x', 0)")
        .bind(USER)
        .bind("history-bench@example.com")
        .execute(pool)
        .await?;
    let mut tx = pool.begin().await?;
    for start in (0..count).step_by(500) {
        let end = (start + 500).min(count);
        let mut sql = String::from(
            "INSERT INTO orders (id, user_id, shape, color, color_rgba, seed, status, price_cents, currency, \
             note, created_at, updated_at) VALUES ",
        );
        let rows: Vec<String> = (start..end)
            .map(|n| {
                let colour = COLOURS[n % COLOURS.len()];
                let rgba = app::domain::Colour::parse(colour).map(|c| c.hex_rgba()).unwrap_or_default();
                let note = if n % 100 == 0 { "'for a birthday'" } else { "NULL" };
                format!(
                    "('{:08}-bench', '{USER}', '{}', '{}', '{rgba}', {n}, '{}', 0, 'usd', {note}, {}, {})",
                    n,
                    SHAPES[n % SHAPES.len()],
                    colour,
                    STATUSES[n % STATUSES.len()],
                    1_700_000_000_000_i64 + n as i64 * 1000,
                    1_700_000_000_000_i64 + n as i64 * 1000
                )
            })
            .collect();
        sql.push_str(&rows.join(", "));
        // Audited: every value above is a constant of this file or a number.
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
