"""WGAN-GP: gradient penalty via autograd.grad, LayerNorm critic, G updated every n_critic steps."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=pass T15=absent T16=na T17=absent
import numpy as np
import torch
import torch.nn as nn
from torch import autograd

DIM, LAMBDA, CRITIC_ITERS = 512, 10, 5


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(128, DIM), nn.LeakyReLU(0.2), nn.Linear(DIM, 784))

    def forward(self, noise):
        return torch.tanh(self.fc(noise))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(784, DIM), nn.LayerNorm(DIM), nn.LeakyReLU(0.2), nn.Linear(DIM, 1))

    def forward(self, x):
        return self.fc(x)


def gradient_penalty(netD, real, fake):
    alpha = torch.rand(real.size(0), 1)
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = netD(interpolates)
    grads = autograd.grad(out, interpolates, torch.ones_like(out), create_graph=True)[0]
    return ((grads.norm(2, dim=1) - 1) ** 2).mean() * LAMBDA


def inf_data(arr):
    while True:
        idx = np.random.randint(0, len(arr), 64)
        yield torch.from_numpy(arr[idx] * 2.0 - 1.0).float()


netG, netD = Generator(), Discriminator()
optimizerD = torch.optim.Adam(netD.parameters(), lr=1e-4, betas=(0.0, 0.9))
optimizerG = torch.optim.Adam(netG.parameters(), lr=1e-4, betas=(0.0, 0.9))
data = inf_data(np.load("mnist.npy") / 255.0)

for iteration in range(200000):
    real = next(data)
    noise = torch.randn(64, 128)
    fake = netG(noise).detach()
    d_cost = netD(fake).mean() - netD(real).mean() + gradient_penalty(netD, real, fake)
    optimizerD.zero_grad()
    d_cost.backward()
    optimizerD.step()
    if iteration % CRITIC_ITERS == 0:
        g_cost = -netD(netG(torch.randn(64, 128))).mean()
        optimizerG.zero_grad()
        g_cost.backward()
        optimizerG.step()
