#!/usr/bin/env python3
"""The PyTorch reference for engram's meta-training speed: the bandit-wang2018 configuration.

The same network and algorithm as `npm run bench:train` (src/rl/a2c.ts, agents/lstm.ts), written
the way a PyTorch user would write it:

- task: two-armed bandit with dependent arms, means (p, 1 - p), p ~ U(0, 1), T = 100 pulls
  (`--variant independent`: each arm's mean ~ U(0, 1)); Bernoulli rewards;
- input per step: the constant observation 1, the one-hot previous action (zero at the first
  step), the previous reward and t/T; an LSTM of 48 units; linear policy and value heads;
- A2C over whole episodes with back-propagation through time: a batch of 32 fresh episodes per
  update, L = sum_t [-log pi(a_t) A_t + c_v (R_t - V_t)^2 - beta H(pi)] averaged over the batch,
  A_t by GAE (gamma 0.9, lambda 1), c_v = 0.05, beta annealed linearly 0.05 -> 0 over the
  updates, global gradient-norm clip 50, Adam 7e-4.

It trains for `--seconds` (or `--updates`), then evaluates the frozen policy on held-out episodes,
and prints one JSON line: env_steps_per_s (training throughput), expected_regret with its 95%
half-width, and the settings. Needs Debian's python3-torch:

    apt-get update && apt-get install -y python3-torch
    /usr/bin/python3 scripts/peers/torch_a2c.py --seconds 30 --threads 1
"""

import argparse
import json
import math
import time

import torch
from torch import nn

ARMS = 2


def sample_means(batch, variant, generator):
    if variant == "independent":
        return torch.rand(batch, ARMS, generator=generator, dtype=torch.float64)
    p = torch.rand(batch, 1, generator=generator, dtype=torch.float64)
    return torch.cat([p, 1 - p], dim=1)


class Agent(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.input_size = 1 + ARMS + 2
        self.cell = nn.LSTMCell(self.input_size, hidden, dtype=torch.float64)
        self.policy = nn.Linear(hidden, ARMS, dtype=torch.float64)
        self.value = nn.Linear(hidden, 1, dtype=torch.float64)
        self.hidden = hidden

    def initial_state(self, batch):
        zeros = torch.zeros(batch, self.hidden, dtype=torch.float64)
        return zeros, zeros.clone()

    def step(self, x, state):
        h, c = self.cell(x, state)
        return self.policy(h), self.value(h).squeeze(1), (h, c)


def encode(batch, prev_action, prev_reward, t, trials):
    x = torch.zeros(batch, 1 + ARMS + 2, dtype=torch.float64)
    x[:, 0] = 1.0
    started = prev_action >= 0
    x[started, 1 + prev_action[started]] = 1.0
    x[:, 1 + ARMS] = prev_reward
    x[:, 2 + ARMS] = t / trials
    return x


def rollout(agent, means, trials, generator):
    """One batch of whole episodes; returns logits, values, actions, rewards and expected regrets."""
    batch = means.shape[0]
    state = agent.initial_state(batch)
    prev_action = torch.full((batch,), -1, dtype=torch.long)
    prev_reward = torch.zeros(batch, dtype=torch.float64)
    logits, values, actions, rewards = [], [], [], []
    best = means.max(dim=1).values
    regret = torch.zeros(batch, dtype=torch.float64)
    for t in range(trials):
        z, v, state = agent.step(encode(batch, prev_action, prev_reward, t, trials), state)
        probs = torch.softmax(z.detach(), dim=1)
        a = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        mean = means.gather(1, a.unsqueeze(1)).squeeze(1)
        r = (torch.rand(batch, generator=generator, dtype=torch.float64) < mean).to(torch.float64)
        regret += best - mean
        logits.append(z)
        values.append(v)
        actions.append(a)
        rewards.append(r)
        prev_action, prev_reward = a, r
    return logits, values, actions, rewards, regret


def a2c_loss(logits, values, actions, rewards, gamma, lam, value_coef, entropy_coef):
    batch = rewards[0].shape[0]
    advantage = torch.zeros(batch, dtype=torch.float64)
    next_value = torch.zeros(batch, dtype=torch.float64)
    loss = torch.zeros((), dtype=torch.float64)
    for t in reversed(range(len(rewards))):
        v = values[t].detach()
        delta = rewards[t] + gamma * next_value - v
        advantage = delta + gamma * lam * advantage
        target = advantage + v
        log_probs = torch.log_softmax(logits[t], dim=1)
        entropy = -(log_probs.exp() * log_probs).sum(dim=1)
        chosen = log_probs.gather(1, actions[t].unsqueeze(1)).squeeze(1)
        step_loss = -chosen * advantage + value_coef * (target - values[t]) ** 2 - entropy_coef * entropy
        loss = loss + step_loss.sum()
        next_value = v
    return loss / batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="training wall time (ignored with --updates)")
    parser.add_argument("--updates", type=int, default=0, help="train this many updates instead of --seconds")
    parser.add_argument("--schedule", type=int, default=10000, help="updates over which beta is annealed")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=48)
    parser.add_argument("--variant", choices=["uniform", "independent"], default="uniform")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-episodes", type=int, default=500)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_stream = torch.Generator().manual_seed(args.seed)
    held_out = torch.Generator().manual_seed(args.seed + 1_000_003)
    agent = Agent(args.hidden)
    optimizer = torch.optim.Adam(agent.parameters(), lr=7e-4)

    updates = 0
    started = time.perf_counter()
    while (updates < args.updates) if args.updates > 0 else (time.perf_counter() - started < args.seconds):
        entropy_coef = 0.05 * max(0.0, 1 - updates / args.schedule)
        means = sample_means(args.batch, args.variant, train_stream)
        logits, values, actions, rewards, _ = rollout(agent, means, args.trials, train_stream)
        loss = a2c_loss(logits, values, actions, rewards, 0.9, 1.0, 0.05, entropy_coef)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(agent.parameters(), 50.0)
        optimizer.step()
        updates += 1
    seconds = time.perf_counter() - started

    regret = torch.zeros(0, dtype=torch.float64)
    with torch.no_grad():
        for lo in range(0, args.eval_episodes, 100):
            n = min(100, args.eval_episodes - lo)
            means = sample_means(n, args.variant, held_out)
            regret = torch.cat([regret, rollout(agent, means, args.trials, held_out)[4]])
    mean_regret = regret.mean().item() if len(regret) > 0 else None
    half_width = 1.96 * regret.std().item() / math.sqrt(len(regret)) if len(regret) > 1 else None

    print(json.dumps({
        "peer": "pytorch",
        "torch": torch.__version__,
        "threads": args.threads,
        "updates": updates,
        "env_steps": updates * args.batch * args.trials,
        "seconds": round(seconds, 3),
        "env_steps_per_s": round(updates * args.batch * args.trials / seconds, 1),
        "variant": args.variant,
        "eval_episodes": len(regret),
        "expected_regret": None if mean_regret is None else round(mean_regret, 4),
        "expected_regret_ci95": None if half_width is None else round(half_width, 4),
    }))


if __name__ == "__main__":
    main()
