//! `let-them-draw draw`: one picture to a file.

use crate::{cli::DrawArgs, render};
use anyhow::Context;
use app::domain::{Colour, Shape};

/// Validates everything first, so a refused request writes no file.
pub fn run(args: &DrawArgs) -> anyhow::Result<()> {
    let shape = Shape::parse(&args.shape)?;
    let colour = Colour::parse(&args.color)?;
    if !render::SIZES.contains(&args.size) {
        return Err(render::RenderError::Size(args.size).into());
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let png = render::render_png(shape, &colour, seed, args.size)?;
    // Write beside the target and rename, so the output is never half-written.
    let partial = args.output.with_extension("png.partial");
    std::fs::write(&partial, &png).with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, &args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    println!("drew {} in {} (seed {seed}) to {}", shape.display_name(), colour, args.output.display());
    Ok(())
}
