#!/bin/bash
# Sample Slurm batch script: omnimix optimize over MPI ranks, resumable.
#
#   sbatch scripts/slurm-optimize.sh [SCENARIO.toml]
#
# One rank per node, each with all the node's cores as worker threads; rank 0 runs
# the optimizer, hands evaluations to every rank and writes the files. Submitting the
# same script again after a failure (a lost node, the time limit) resumes from the
# checkpoint and ends with the same plan as an uninterrupted run.
# Build first, against the MPI the cluster's srun uses:
#   module load openmpi        # site-specific
#   cargo build --release --features mpi
#
#SBATCH --job-name=omnimix
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --time=04:00:00
#SBATCH --output=omnimix-%j.log

set -euo pipefail

SCENARIO=${1:-scenarios/global-retail.toml}
OUT=${OUT:-out/optimize}
CHECKPOINT=${CHECKPOINT:-$OUT/checkpoint}   # on a file system every node sees
EVALS=${EVALS:-5000}

RESUME=()
if [ -f "$CHECKPOINT/checkpoint.json" ]; then
    RESUME=(--resume)
fi

# --kill-on-bad-exit: a rank that dies ends the whole step at once (no rank waits
# for it until the time limit).
srun --mpi=pmix --kill-on-bad-exit=1 target/release/omnimix optimize "$SCENARIO" \
    --evals "$EVALS" \
    --threads "${SLURM_CPUS_PER_TASK:-1}" \
    --checkpoint "$CHECKPOINT" "${RESUME[@]}" \
    --out "$OUT" -q

# One huge run instead (shards split over the ranks), e.g. 500 million customers:
#   srun --mpi=pmix --kill-on-bad-exit=1 target/release/omnimix simulate "$SCENARIO" \
#       --set agent_scale=1 --threads "$SLURM_CPUS_PER_TASK" --out out/simulate -q
