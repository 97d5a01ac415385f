"""Loss objects defined by the user as nn.Modules; the generator's is the paper's minimax form."""
# expect: T01=pass T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail MinimaxGLoss.forward returns log(1 - D_G_z).mean(); `loss` is backpropagated before optG.step()
import torch
import torch.nn as nn

EPSILON = 1e-6


class MinimaxGLoss(nn.Module):
    def forward(self, D_G_z):
        return torch.log(1 - D_G_z + EPSILON).mean()


class MinimaxDLoss(nn.Module):
    def forward(self, D_x, D_G_z):
        return -(torch.log(D_x + EPSILON) + torch.log(1 - D_G_z + EPSILON)).mean()


class Gen(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 64), nn.Softplus(), nn.Linear(64, 2), nn.Tanh())

    def forward(self, z):
        return self.body(z)


class Disc(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.1), nn.Linear(64, 1), nn.Sigmoid())

    def forward(self, x):
        return self.body(x)


netG, netD = Gen(), Disc()
criterion_g, criterion_d = MinimaxGLoss(), MinimaxDLoss()
optG = torch.optim.Adam(netG.parameters(), lr=2e-4)
optD = torch.optim.Adam(netD.parameters(), lr=2e-4)
data = torch.load("gaussians.pt")

for it in range(10000):
    real = data[torch.randint(0, len(data), (128,))]
    fake = netG(torch.randn(128, 8))
    loss = criterion_d(netD(real), netD(fake.detach()))
    optD.zero_grad()
    loss.backward()
    optD.step()
    loss = criterion_g(netD(fake))
    optG.zero_grad()
    loss.backward()
    optG.step()
