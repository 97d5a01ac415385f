"""Non-saturating logistic GAN with an R1 penalty on real images (autograd.grad), no labels anywhere."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass the generator minimises F.softplus(-D(G(z))).mean()
# reason: T06=absent the logistic losses are hard-label BCE in softplus form
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import autograd

gamma = 10.0
G = nn.Sequential(nn.Linear(64, 4 * 4 * 128), nn.Unflatten(1, (128, 4, 4)), nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, padding=1), nn.LeakyReLU(0.2), nn.Upsample(scale_factor=2), nn.Conv2d(64, 3, 3, padding=1), nn.Tanh())
D = nn.Sequential(nn.Conv2d(3, 64, 3, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 3, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 16, 1))
g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.0, 0.99))
d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.0, 0.99))
crops = torch.load("crops16.pt")  # in [-1, 1]

for it in range(50000):
    real = crops[torch.randint(len(crops), (32,))].requires_grad_(True)
    fake = G(torch.randn(32, 64))
    real_logits = D(real)
    (grad,) = autograd.grad(real_logits.sum(), real, create_graph=True)
    r1 = grad.pow(2).flatten(1).sum(1).mean()
    d_loss = F.softplus(D(fake.detach())).mean() + F.softplus(-real_logits).mean() + gamma / 2 * r1
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = F.softplus(-D(fake)).mean()
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
