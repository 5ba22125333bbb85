//! Where a network's time goes, node by node: the same optimised plan `run` uses, with a clock
//! around each node, so `lrfr bench --profile` names the slow operator without tract's own CLI.

use std::time::Instant;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::plan::eval;

use super::Net;
use crate::metrics::LatencyWindow;
use crate::models::ModelError;

/// One node of the optimised plan and its median time per run.
#[derive(Debug, Clone)]
pub struct NodeCost {
    pub node: String,
    pub op: String,
    pub median_ms: f64,
}

impl Net {
    /// Runs the network `runs` times on its input (see [`Net::input_mut`]), timing every node;
    /// returns the nodes that ran, dearest first. The clocks add a little to each node, so the
    /// sum exceeds a plain run.
    pub fn profile(&mut self, runs: usize) -> Result<Vec<NodeCost>, ModelError> {
        let node_count = self.state.model().nodes().len();
        let mut windows: Vec<LatencyWindow> = (0..node_count)
            .map(|_| LatencyWindow::new(runs.max(1)))
            .collect();
        for _ in 0..runs.max(1) {
            self.state
                .run_plan_with_eval(
                    tvec!(self.input.clone().into_tvalue()),
                    |context, state, node, inputs| {
                        let start = Instant::now();
                        let outputs = eval(context, state, node, inputs);
                        windows[node.id].push(start.elapsed());
                        outputs
                    },
                )
                .map_err(|e| self.run_error(format!("{e:#}")))?;
        }
        let model = self.state.model();
        let mut costs: Vec<NodeCost> = windows
            .iter_mut()
            .enumerate()
            .filter(|(_, window)| !window.is_empty())
            .map(|(id, window)| {
                let node = model.node(id);
                NodeCost {
                    node: node.name.clone(),
                    op: node.op().name().to_string(),
                    median_ms: window.summary().median_ms,
                }
            })
            .collect();
        costs.sort_by(|a, b| b.median_ms.total_cmp(&a.median_ms));
        Ok(costs)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::models::Landmarker;

    #[test]
    fn profile_names_the_shipped_landmark_nets_nodes_dearest_first() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let mut landmarker = Landmarker::load(&dir, 1)
            .expect("the committed landmark net loads")
            .expect("the shipped models include the landmark net");
        let net = landmarker.net();
        let len = net.entry().input.iter().product();
        net.input_mut(len).expect("the input's size").fill(0.5);
        let costs = net.profile(3).expect("profiling runs");
        assert!(costs.len() > 5, "only {} nodes timed", costs.len());
        assert!(costs
            .iter()
            .any(|c| c.op.contains("MatMul") || c.op.contains("Conv")));
        assert!(costs.windows(2).all(|w| w[0].median_ms >= w[1].median_ms));
        assert!(costs
            .iter()
            .all(|c| c.median_ms.is_finite() && !c.node.is_empty()));
    }
}
