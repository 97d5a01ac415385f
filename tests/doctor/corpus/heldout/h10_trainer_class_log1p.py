"""A trainer class with one method per player; G's step minimises log1p(-D(G(z))) (minimax)."""
# expect: T01=pass T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail generator_step minimises log1p(-D(G(z))) = log(1 - D(G(z))), the saturating loss
# reason: T01=pass G ends with tanh and the data is scaled with x * 2 - 1
import torch
import torch.nn as nn


class Gen(nn.Module):
    def __init__(self, nz, nx):
        super().__init__()
        self.fc1 = nn.Linear(nz, 256)
        self.fc2 = nn.Linear(256, nx)

    def forward(self, z):
        return torch.tanh(self.fc2(nn.functional.leaky_relu(self.fc1(z), 0.2)))


class Disc(nn.Module):
    def __init__(self, nx):
        super().__init__()
        self.fc1 = nn.Linear(nx, 256)
        self.fc2 = nn.Linear(256, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(nn.functional.leaky_relu(self.fc1(x), 0.2)))


class GANTrainer:
    def __init__(self, nz=10, nx=20):
        self.nz = nz
        self.G = Gen(nz, nx)
        self.D = Disc(nx)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def sample_z(self, n):
        return torch.randn(n, self.nz)

    def discriminator_step(self, x):
        fake = self.G(self.sample_z(x.size(0))).detach()
        loss = -(torch.log(self.D(x)) + torch.log1p(-self.D(fake))).mean()
        self.opt_d.zero_grad()
        loss.backward()
        self.opt_d.step()
        return loss.item()

    def generator_step(self, n):
        loss = torch.log1p(-self.D(self.G(self.sample_z(n)))).mean()
        self.opt_g.zero_grad()
        loss.backward()
        self.opt_g.step()
        return loss.item()

    def fit(self, data, steps=1000):
        for _ in range(steps):
            x = data[torch.randint(0, len(data), (64,))] * 2 - 1
            self.discriminator_step(x)
            self.generator_step(64)


if __name__ == "__main__":
    GANTrainer().fit(torch.rand(5000, 20))
