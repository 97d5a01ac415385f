#!/usr/bin/env python
"""1-D toy GAN: data and noise come from sampler factories that return lambdas; D sees moments."""
# expect: T01=absent T02=pass T03=fail T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=fail the generator input sampler returns lambda m, n: torch.rand(m, n) (uniform)
# reason: T02=pass G's error is BCE of D(G(z)) against ones (fakes labelled genuine)
# reason: T14=absent d_steps is 1: one D step per G step
# reason: T01=absent G's last layer is linear and the data (a Gaussian) is not rescaled
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

mu, sigma = 4.0, 1.25
g_in, g_hidden, g_out = 1, 50, 1
d_in, d_hidden = 100, 50
lr_d = lr_g = 2e-4
betas = (0.9, 0.999)
d_steps = 1
g_steps = 1


def real_sampler(mu, sigma):
    return lambda n: torch.Tensor(np.random.normal(mu, sigma, (1, n)))


def noise_sampler():
    return lambda m, n: torch.rand(m, n)


class Generator(nn.Module):
    def __init__(self, i, h, o):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(i, h), nn.Linear(h, h), nn.Linear(h, o)

    def forward(self, x):
        x = F.elu(self.fc1(x))
        x = F.elu(self.fc2(x))
        return self.fc3(x)


class Discriminator(nn.Module):
    def __init__(self, i, h):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(i, h), nn.Linear(h, h), nn.Linear(h, 1)

    def forward(self, x):
        x = F.elu(self.fc1(x))
        x = F.elu(self.fc2(x))
        return torch.sigmoid(self.fc3(x))


sample_real = real_sampler(mu, sigma)
sample_noise = noise_sampler()
G = Generator(g_in, g_hidden, g_out)
D = Discriminator(d_in, d_hidden)
criterion = nn.BCELoss()
d_optimizer = optim.Adam(D.parameters(), lr=lr_d, betas=betas)
g_optimizer = optim.Adam(G.parameters(), lr=lr_g, betas=betas)

for epoch in range(5000):
    for _ in range(d_steps):
        D.zero_grad()
        real_decision = D(sample_real(d_in))
        real_error = criterion(real_decision, torch.ones(1, 1))
        real_error.backward()
        fake_data = G(sample_noise(d_in, g_in)).detach()
        fake_decision = D(fake_data.t())
        fake_error = criterion(fake_decision, torch.zeros(1, 1))
        fake_error.backward()
        d_optimizer.step()
    for _ in range(g_steps):
        G.zero_grad()
        generated = G(sample_noise(d_in, g_in))
        verdict = D(generated.t())
        g_error = criterion(verdict, torch.ones(1, 1))
        g_error.backward()
        g_optimizer.step()
