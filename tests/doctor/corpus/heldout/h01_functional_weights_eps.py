"""MLP GAN written as plain functions over weight tensors (no nn.Module), logs with an epsilon."""
# expect: T01=fail T02=fail T03=pass T04=na T05=fail T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=fail the generator function ends with torch.sigmoid, so it cannot produce [-1, 1]
# reason: T02=fail G minimises mean(log(1 - D(G(z)) + eps)), the saturating minimax loss
# reason: T05=fail the discriminator function uses torch.relu on its hidden layer
# reason: T12=absent the loader yields (image, label) pairs that D never sees
import numpy as np
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

batch, z_dim, x_dim, hidden = 64, 100, 784, 128
eps = 1e-8


def init_weight(shape):
    std = 1.0 / np.sqrt(shape[0] / 2.0)
    return (torch.randn(*shape) * std).requires_grad_()


def zeros(n):
    return torch.zeros(n, requires_grad=True)


Wg1, bg1 = init_weight([z_dim, hidden]), zeros(hidden)
Wg2, bg2 = init_weight([hidden, x_dim]), zeros(x_dim)
Wd1, bd1 = init_weight([x_dim, hidden]), zeros(hidden)
Wd2, bd2 = init_weight([hidden, 1]), zeros(1)
theta_G = [Wg1, bg1, Wg2, bg2]
theta_D = [Wd1, bd1, Wd2, bd2]


def generator(z):
    h = torch.nn.functional.leaky_relu(z @ Wg1 + bg1, 0.2)
    return torch.sigmoid(h @ Wg2 + bg2)


def discriminator(x):
    h = torch.relu(x @ Wd1 + bd1)
    return torch.sigmoid(h @ Wd2 + bd2)


mnist = datasets.MNIST("data", train=True, download=True, transform=transforms.ToTensor())
loader = DataLoader(mnist, batch_size=batch, shuffle=True, drop_last=True)
G_solver = torch.optim.Adam(theta_G, lr=1e-3)
D_solver = torch.optim.Adam(theta_D, lr=1e-3)

for epoch in range(20):
    for x, _ in loader:
        x = x.view(batch, -1)
        z = torch.randn(batch, z_dim)
        D_real = discriminator(x)
        D_fake = discriminator(generator(z))
        D_loss = -torch.mean(torch.log(D_real + eps) + torch.log(1.0 - D_fake + eps))
        D_solver.zero_grad()
        D_loss.backward()
        D_solver.step()

        z = torch.randn(batch, z_dim)
        D_fake = discriminator(generator(z))
        G_loss = torch.mean(torch.log(1.0 - D_fake + eps))
        G_solver.zero_grad()
        G_loss.backward()
        G_solver.step()
    print(epoch, D_loss.item(), G_loss.item())
