//! Drawing cost per shape at 512²: building the SVG scene, rasterising it, encoding the PNG.
//!
//! Run with `cargo bench -p server --bench render`; results are in BENCHMARKS.md.

use app::domain::{Colour, Shape, scene};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use server::render::{encode_png, rasterise, render_png};
use std::hint::black_box;

const SIZE: u32 = 512;
const SEED: u32 = 42;

fn drawing(c: &mut Criterion) {
    let colour = Colour::parse("indigo").expect("a CSS colour");
    for shape in Shape::ALL {
        let mut group = c.benchmark_group(shape.name());
        let svg = scene::svg_on_white(shape, &colour, SEED);
        let pixmap = rasterise(&svg, SIZE).expect("renders");
        let png = encode_png(&pixmap).expect("encodes");
        eprintln!("{}: {} bytes of SVG, {} bytes of PNG", shape.name(), svg.len(), png.len());

        group.bench_function("scene", |b| b.iter(|| scene::svg_on_white(black_box(shape), &colour, SEED)));
        group.bench_function(BenchmarkId::new("rasterise", SIZE), |b| {
            b.iter(|| rasterise(black_box(&svg), SIZE))
        });
        group.bench_function(BenchmarkId::new("encode", SIZE), |b| b.iter(|| encode_png(black_box(&pixmap))));
        group.bench_function(BenchmarkId::new("total", SIZE), |b| {
            b.iter(|| render_png(black_box(shape), &colour, SEED, SIZE))
        });
        group.finish();
    }
}

criterion_group!(benches, drawing);
criterion_main!(benches);
