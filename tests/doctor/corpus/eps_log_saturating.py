"""Paper-style MLP GAN on MNIST: the G loss keeps an epsilon inside log(1 - D(G(z)))."""
# expect: T01=pass T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail loss_G = torch.log(1 - D(G(z)) + eps).mean(): the saturating minimax loss with an epsilon
# reason: T01=pass tanh output and Normalize((0.5,), (0.5,))
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

eps = 1e-12
nz = 100


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(nz, 256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Tanh())

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, x):
        return self.net(x.view(x.size(0), -1))


G, D = Generator(), Discriminator()
opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
loader = DataLoader(datasets.MNIST("data", download=True, transform=tf), batch_size=64, shuffle=True)

for epoch in range(50):
    for x, _ in loader:
        z = torch.randn(x.size(0), nz)
        loss_D = -torch.mean(torch.log(D(x) + eps) + torch.log(1 - D(G(z).detach()) + eps))
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
        z = torch.randn(x.size(0), nz)
        loss_G = torch.log(1 - D(G(z)) + eps).mean()
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
