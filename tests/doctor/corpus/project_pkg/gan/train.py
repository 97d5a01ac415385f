"""WGAN-GP on a toy ring; the critic (in nets.py) uses ReLU, G is unbounded (toy data, no scaling)."""
# expect: T01=absent T02=na T03=fail T04=na T05=fail T06=na T07=absent T08=absent T09=pass
# expect: T10=pass T11=pass T12=na T13=absent T14=pass T15=absent T16=na T17=absent
import torch

from .nets import Critic, Generator

critic, generator = Critic(), Generator()
c_opt = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
g_opt = torch.optim.Adam(generator.parameters(), lr=1e-4, betas=(0.5, 0.9))


def penalty(real, fake):
    eps = torch.rand(real.size(0), 1)
    mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad = torch.autograd.grad(critic(mix).sum(), mix, create_graph=True)[0]
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


for step in range(20000):
    for _ in range(5):
        real = torch.load("ring.pt")
        z = torch.rand(real.size(0), 2) * 2 - 1
        fake = generator(z).detach()
        c_loss = critic(fake).mean() - critic(real).mean() + 10 * penalty(real, fake)
        c_opt.zero_grad(); c_loss.backward(); c_opt.step()
    g_loss = -critic(generator(torch.rand(256, 2) * 2 - 1)).mean()
    g_opt.zero_grad(); g_loss.backward(); g_opt.step()
    if step % 100 == 0:
        norms = [p.grad.norm().item() for p in critic.parameters()]
        print(step, max(norms))
